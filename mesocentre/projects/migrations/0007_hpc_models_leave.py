from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0006_request_withdrawn'),
    ]

    # The HPC models moved to the hpc app (release 2026.12). Their tables stay where they are here: this migration
    # only removes them from projects' state; hpc's 0001 adds them to its own on the same tables, and hpc's 0002
    # renames the tables and moves their content types, so that every row, permission and admin log entry follows.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='allocation',
                    name='decision',
                ),
                migrations.RemoveField(
                    model_name='allocation',
                    name='project',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='allocation',
                ),
                migrations.RemoveField(
                    model_name='allocationrequest',
                    name='project',
                ),
                migrations.RemoveField(
                    model_name='allocationrequest',
                    name='round',
                ),
                migrations.RemoveField(
                    model_name='allocationrequest',
                    name='submitted_by',
                ),
                migrations.RemoveField(
                    model_name='reviewassignment',
                    name='request',
                ),
                migrations.RemoveField(
                    model_name='decision',
                    name='request',
                ),
                migrations.RemoveField(
                    model_name='round',
                    name='call',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='decision',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='assignment',
                ),
                migrations.RemoveField(
                    model_name='reviewassignment',
                    name='assigned_by',
                ),
                migrations.RemoveField(
                    model_name='reviewassignment',
                    name='reviewer',
                ),
                migrations.RemoveField(
                    model_name='roundbudget',
                    name='round',
                ),
                migrations.RemoveField(
                    model_name='roundbudget',
                    name='laboratory',
                ),
                migrations.RemoveField(
                    model_name='roundbudget',
                    name='theme',
                ),
                migrations.DeleteModel(
                    name='SentNotification',
                ),
                migrations.DeleteModel(
                    name='Allocation',
                ),
                migrations.DeleteModel(
                    name='AllocationRequest',
                ),
                migrations.DeleteModel(
                    name='Call',
                ),
                migrations.DeleteModel(
                    name='ChangeRequest',
                ),
                migrations.DeleteModel(
                    name='Decision',
                ),
                migrations.DeleteModel(
                    name='Review',
                ),
                migrations.DeleteModel(
                    name='ReviewAssignment',
                ),
                migrations.DeleteModel(
                    name='Round',
                ),
                migrations.DeleteModel(
                    name='RoundBudget',
                ),
                        ],
                ),
            ]
