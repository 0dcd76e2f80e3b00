"""mesocentre tasks list | done | failed: the manual tasks from the command line, as on their page."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from mesocentre.core.actor import acting_as
from mesocentre.provisioning import services
from mesocentre.provisioning.models import ManualTask
from mesocentre.tenancy.models import User


class Command(BaseCommand):
    help = "Manual tasks: list those to do; mark one done (with the backend's identifier) or failed (with the reason)."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("list", help="the open tasks, oldest first, each with what to do")
        done = verbs.add_parser("done", help="the task is done: its operation ends done, its order is told")
        done.add_argument("task", type=int, help="the task's id")
        done.add_argument("--by", required=True, help="the username of who did it (an operator)")
        done.add_argument("--backend-id", required=True, help="the resource's identifier where it was made")
        done.add_argument("--notes", default="", help="what was done")
        failed = verbs.add_parser("failed", help="the task could not be done: its operation fails with the reason")
        failed.add_argument("task", type=int, help="the task's id")
        failed.add_argument("--by", required=True, help="the username of who tried (an operator)")
        failed.add_argument("--reason", required=True, help="why: it becomes the operation's error")

    def handle(self, *args, **options):
        if options["verb"] == "list":
            tasks = ManualTask.objects.filter(status=ManualTask.Status.OPEN).select_related("operation")
            for task in tasks.order_by("created", "pk"):
                self.stdout.write(f"#{task.pk}  {task.title}\n    {task.instructions.summary}")
            return
        user = User.objects.filter(username=options["by"]).first()
        if user is None:
            raise CommandError(f"--by {options['by']!r}: no such user.", returncode=2)
        task = ManualTask.objects.filter(pk=options["task"]).first()
        if task is None:
            raise CommandError(f"task {options['task']}: no such task.", returncode=2)
        done = options["verb"] == "done"
        comment = options["notes"] if done else options["reason"]
        try:
            with acting_as(user, f"{user.get_username()} (command line)"):
                task = services.complete_manual_task(task, user, done, comment, options.get("backend_id") or "")
        except ValidationError as exc:
            fields = exc.message_dict if hasattr(exc, "error_dict") else {"task": exc.messages}
            text = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
            raise CommandError(text, returncode=2) from exc
        except PermissionDenied as exc:
            raise CommandError(f"--by {options['by']!r}: {exc}", returncode=2) from exc
        self.stdout.write(f"Task #{task.pk} {task.get_status_display()}; operation #{task.operation_id} ended.")
