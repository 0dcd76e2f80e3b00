from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from mesocentre.reports.forms import MAX_CLUSTER
from mesocentre.reports.periods import FIRST_YEAR, LAST_YEAR
from mesocentre.reports.usage import AXES


class UsageQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=list(AXES), default="theme")
    year = serializers.IntegerField(
        min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False, help_text=_("Default: the current year.")
    )
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)


class UtilisationQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False, help_text=_("Default: the current year.")
    )
    cluster = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=MAX_CLUSTER, required=False)


class UsageRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    core_hours = serializers.CharField(help_text=_("Core-hours, a decimal number."))
    gpu_hours = serializers.CharField()
    kwh = serializers.CharField()
    core_share = serializers.CharField(allow_null=True, help_text=_("Percent of the period's core-hours."))
    amount_ht = serializers.CharField(help_text=_("Net amount HT of the issued invoices, in euros."))
    amount_share = serializers.CharField(allow_null=True)


class UsageReportSerializer(serializers.Serializer):
    by = serializers.CharField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    rows = UsageRowSerializer(many=True)
    total = UsageRowSerializer()


class FigureSerializer(serializers.Serializer):
    used_core_hours = serializers.CharField()
    available_core_hours = serializers.IntegerField(allow_null=True)
    utilisation = serializers.CharField(allow_null=True, help_text=_("Percent, a decimal number."))


class MonthSerializer(FigureSerializer):
    month = serializers.IntegerField()


class ClusterYearSerializer(serializers.Serializer):
    cluster = serializers.CharField()
    cores = serializers.IntegerField(allow_null=True)
    year = serializers.IntegerField()
    months = MonthSerializer(many=True)
    total = FigureSerializer()
