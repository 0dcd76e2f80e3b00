from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mesocentre.core.api import ScopedViewSetMixin
from mesocentre.core.roles import is_operator
from mesocentre.hpc import request_services, services
from mesocentre.hpc.api import serializers
from mesocentre.hpc.filtersets import AllocationFilterSet, AllocationRequestFilterSet, ChangeRequestFilterSet
from mesocentre.hpc.models import Allocation, AllocationRequest, Call, ChangeRequest, Review, Round
from mesocentre.projects.api.views import ReadCreate

Authenticated = permissions.IsAuthenticated


class CallViewSet(ScopedViewSetMixin, ReadCreate):
    """Everyone reads the calls; operators open them."""

    queryset = Call.objects.all()
    serializer_class = serializers.CallSerializer
    permission_classes = [Authenticated]

    def perform_create(self, serializer):
        serializer.instance = services.create_call(self.request.user, **serializer.validated_data)


class RoundViewSet(ScopedViewSetMixin, ReadCreate):
    """Everyone reads the rounds and their budget lines by theme and laboratory; operators add rounds and close
    them early (the lines are shared out from the portal)."""

    queryset = Round.objects.prefetch_related("budgets")
    serializer_class = serializers.RoundSerializer
    permission_classes = [Authenticated]
    filterset_fields = ["call"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_round(self.request.user, data.pop("call"), **data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """Operators close an open round now: it accepts no more requests."""
        round_ = services.close_round(request.user, self.get_object())
        return Response(self.get_serializer(round_).data)

    @extend_schema(responses=serializers.RoundSummarySerializer)
    @action(detail=True)
    def summary(self, request, pk=None, format=None):
        """Asked vs granted vs budget; by laboratory for operators, by theme for the committee too."""
        if not (is_operator(request.user) or request.user.is_reviewer):
            raise PermissionDenied("Only operators and the committee read a round's summary.")
        summary = services.round_summary(self.get_object())
        if not is_operator(request.user):
            summary.pop("by_laboratory")
        return Response(summary)


class AllocationRequestViewSet(ScopedViewSetMixin, ReadCreate):
    queryset = AllocationRequest.objects.all()
    serializer_class = serializers.AllocationRequestSerializer
    permission_classes = [Authenticated]
    filterset_class = AllocationRequestFilterSet  # the portal's request list's too

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project, round = data.pop("project"), data.pop("round")
        serializer.instance = services.submit_request(self.request.user, project, round, **data)

    @extend_schema(request=serializers.DecideSerializer, responses=serializers.DecisionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        """Operators record the committee's decision; beyond the round's remaining budget, ``override_budget`` and
        an ``override_reason`` are required."""
        if not is_operator(request.user):
            raise PermissionDenied("Only operators record the committee's decisions.")
        item = self.get_object()
        data = serializers.DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            services.decide(request.user, item, **data.validated_data)
        item.refresh_from_db()
        return Response(serializers.DecisionSerializer(item.decision).data)

    @extend_schema(request=serializers.RequestEditSerializer, responses=serializers.AllocationRequestSerializer)
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None, format=None):
        """The PI or a manager changes what is asked, while the round is open and no review exists; a withdrawn
        request is submitted again."""
        data = serializers.RequestEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = request_services.edit_request(request.user, self.get_object(), **data.validated_data)
        return Response(serializers.AllocationRequestSerializer(item, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=serializers.AllocationRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, format=None):
        """The PI or a manager withdraws the request, until it is reviewed or decided; its reviewers' assignments
        go with it."""
        item = request_services.withdraw_request(request.user, self.get_object())
        return Response(serializers.AllocationRequestSerializer(item, context=self.get_serializer_context()).data)


class ReviewViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Reviewers see theirs; the project's people see decided ones without the private comment."""

    queryset = Review.objects.select_related("assignment")  # the request and the reviewer are the assignment's
    serializer_class = serializers.ReviewSerializer
    permission_classes = [Authenticated]


class AllocationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Allocation.objects.prefetch_related("change_requests")  # the totals add the approved ones
    serializer_class = serializers.AllocationSerializer
    permission_classes = [Authenticated]
    filterset_class = AllocationFilterSet  # the portal's allocation list's too

    @extend_schema(request=serializers.AllocationStatusSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None, format=None):
        """Operators suspend, resume or expire (``{"status": "suspended"}``); Slurm's limits follow via the queue."""
        allocation = self.get_object()
        data = serializers.AllocationStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        allocation = services.set_allocation_status(request.user, allocation, data.validated_data["status"])
        return Response(self.get_serializer(allocation).data)


class ChangeRequestViewSet(ScopedViewSetMixin, ReadCreate):
    queryset = ChangeRequest.objects.all()
    serializer_class = serializers.ChangeRequestSerializer
    permission_classes = [Authenticated]
    filterset_class = ChangeRequestFilterSet  # the portal's change request list's too

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.request_change(self.request.user, data.pop("allocation"), **data)

    @extend_schema(request=serializers.ChangeDecisionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, format=None):
        """Operators approve (``{"approve": true}``) or refuse (``{"approve": false}``); the allocation's Slurm
        limit rises in step."""
        change = self.get_object()
        data = serializers.ChangeDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.approve_change_request(request.user, change, approve=data.validated_data["approve"])
        return Response(self.get_serializer(change).data)
