import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('projects', '0007_hpc_models_leave'),
        ('tenancy', '0009_charter_version_one'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The models that were projects' until release 2026.12, on the tables projects created (``db_table``): state only.
    # 0002 renames the tables.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Call',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                        ('code', models.SlugField(unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
            ],
            options={
                'verbose_name': 'call',
                'db_table': 'projects_call',
                'ordering': ['-created'],
            },
        ),
        migrations.CreateModel(
            name='SentNotification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200, unique=True, verbose_name='key')),
                ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='sent at')),
                ('recipients', models.PositiveIntegerField(default=0, verbose_name='recipients')),
            ],
            options={
                'verbose_name': 'sent notification',
                'db_table': 'projects_sentnotification',
                'ordering': ['-sent_at'],
            },
        ),
        migrations.CreateModel(
            name='Allocation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('cluster', models.CharField(default='mesocentre', max_length=40, verbose_name='cluster')),
                ('cpu_core_hours', models.PositiveBigIntegerField(verbose_name='granted CPU core-hours')),
                ('gpu_hours', models.PositiveBigIntegerField(default=0, verbose_name='granted GPU hours')),
                ('starts_on', models.DateField(verbose_name='start date')),
                ('ends_on', models.DateField(verbose_name='end date')),
                ('status', models.CharField(choices=[('active', 'active'), ('suspended', 'suspended'), ('expired', 'expired')], default='active', max_length=20, verbose_name='status')),
                ('expired_on', models.DateField(blank=True, editable=False, null=True, verbose_name='expired on')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='projects.project', verbose_name='project')),
            ],
            options={
                'verbose_name': 'allocation',
                'db_table': 'projects_allocation',
                'ordering': ['project', 'starts_on'],
            },
        ),
        migrations.CreateModel(
            name='AllocationRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('cpu_core_hours', models.PositiveBigIntegerField(verbose_name='CPU core-hours')),
                ('gpu_hours', models.PositiveBigIntegerField(default=0, verbose_name='GPU hours')),
                ('scratch_gb', models.PositiveIntegerField(default=0, verbose_name='scratch storage (GB)')),
                ('justification', models.TextField(verbose_name='justification')),
                ('status', models.CharField(choices=[('draft', 'draft'), ('submitted', 'submitted'), ('under_review', 'under review'), ('decided', 'decided'), ('withdrawn', 'withdrawn')], default='draft', max_length=20, verbose_name='status')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requests', to='projects.project', verbose_name='project')),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='submitted by')),
            ],
            options={
                'verbose_name': 'allocation request',
                'db_table': 'projects_allocationrequest',
                'ordering': ['round', 'project'],
            },
        ),
        migrations.CreateModel(
            name='ChangeRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('change_type', models.CharField(choices=[('more_hours', 'more hours'), ('extension', 'extension')], max_length=20, verbose_name='type of change')),
                ('extra_cpu_core_hours', models.PositiveBigIntegerField(default=0, verbose_name='extra CPU core-hours')),
                ('extra_gpu_hours', models.PositiveBigIntegerField(default=0, verbose_name='extra GPU hours')),
                ('new_ends_on', models.DateField(blank=True, null=True, verbose_name='new end date')),
                ('justification', models.TextField(verbose_name='justification')),
                ('status', models.CharField(choices=[('pending', 'pending'), ('approved', 'approved'), ('refused', 'refused')], default='pending', max_length=20, verbose_name='status')),
                ('allocation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='change_requests', to='hpc.allocation', verbose_name='allocation')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'change request',
                'db_table': 'projects_changerequest',
                'ordering': ['allocation', 'created'],
            },
        ),
        migrations.CreateModel(
            name='Decision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('cpu_core_hours', models.PositiveBigIntegerField(verbose_name='granted CPU core-hours')),
                ('gpu_hours', models.PositiveBigIntegerField(default=0, verbose_name='granted GPU hours')),
                ('reason', models.TextField(blank=True, help_text='Required when less than asked is granted.', verbose_name='reason')),
                ('override_budget', models.BooleanField(default=False, help_text="Grant more than what is left of the round's budget (say why).", verbose_name="beyond the round's remaining budget")),
                ('override_reason', models.TextField(blank=True, verbose_name='why beyond the budget')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('request', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='decision', to='hpc.allocationrequest', verbose_name='request')),
            ],
            options={
                'verbose_name': 'decision',
                'db_table': 'projects_decision',
                'ordering': ['request'],
            },
        ),
        migrations.AddField(
            model_name='allocation',
            name='decision',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='allocation', to='hpc.decision'),
        ),
        migrations.CreateModel(
            name='ReviewAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('assigned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='hpc.allocationrequest', verbose_name='request')),
                ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to=settings.AUTH_USER_MODEL, verbose_name='reviewer')),
            ],
            options={
                'verbose_name': 'review assignment',
                'db_table': 'projects_reviewassignment',
                'ordering': ['request', 'reviewer'],
            },
        ),
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('score', models.PositiveSmallIntegerField(verbose_name='score (1–5)')),
                ('private_comment', models.TextField(blank=True, verbose_name='comment for the committee')),
                ('public_comment', models.TextField(blank=True, verbose_name='comment for the PI')),
                ('assignment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review', to='hpc.reviewassignment', verbose_name='assignment')),
            ],
            options={
                'verbose_name': 'review',
                'db_table': 'projects_review',
                'ordering': ['assignment'],
            },
        ),
        migrations.CreateModel(
            name='Round',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('opens_at', models.DateTimeField(verbose_name='opens at')),
                ('closes_at', models.DateTimeField(verbose_name='closes at')),
                ('cpu_budget', models.PositiveBigIntegerField(verbose_name='core-hour budget')),
                ('gpu_budget', models.PositiveBigIntegerField(default=0, verbose_name='GPU-hour budget')),
                ('reviews_due_on', models.DateField(blank=True, null=True, verbose_name='reviews due on')),
                ('call', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rounds', to='hpc.call', verbose_name='call')),
            ],
            options={
                'verbose_name': 'round',
                'db_table': 'projects_round',
                'ordering': ['call', 'opens_at'],
            },
        ),
        migrations.AddField(
            model_name='allocationrequest',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='hpc.round', verbose_name='round'),
        ),
        migrations.CreateModel(
            name='RoundBudget',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('cpu_budget', models.PositiveBigIntegerField(default=0, verbose_name='core-hour budget')),
                ('gpu_budget', models.PositiveBigIntegerField(default=0, verbose_name='GPU-hour budget')),
                ('laboratory', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='round_budgets', to='tenancy.laboratory', verbose_name='laboratory')),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='budgets', to='hpc.round', verbose_name='round')),
                ('theme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='round_budgets', to='tenancy.scientifictheme', verbose_name='scientific theme')),
            ],
            options={
                'verbose_name': 'round budget',
                'db_table': 'projects_roundbudget',
                'ordering': ['round', 'theme__name', 'laboratory__code'],
            },
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='projects_allocation_dates_order'),
        ),
        migrations.AddConstraint(
            model_name='reviewassignment',
            constraint=models.UniqueConstraint(fields=('request', 'reviewer'), name='projects_assignment_unique_reviewer'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('score__gte', 1), ('score__lte', 5)), name='projects_review_score_range'),
        ),
        migrations.AddConstraint(
            model_name='round',
            constraint=models.UniqueConstraint(fields=('call', 'name'), name='projects_round_unique_name'),
        ),
        migrations.AddConstraint(
            model_name='round',
            constraint=models.CheckConstraint(condition=models.Q(('closes_at__gt', models.F('opens_at'))), name='projects_round_dates_order'),
        ),
        migrations.AddConstraint(
            model_name='allocationrequest',
            constraint=models.UniqueConstraint(fields=('project', 'round'), name='projects_request_one_per_round'),
        ),
        migrations.AddConstraint(
            model_name='roundbudget',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('laboratory__isnull', True), ('theme__isnull', False)), models.Q(('laboratory__isnull', False), ('theme__isnull', True)), _connector='OR'), name='projects_roundbudget_theme_or_laboratory'),
        ),
        migrations.AddConstraint(
            model_name='roundbudget',
            constraint=models.UniqueConstraint(condition=models.Q(('theme__isnull', False)), fields=('round', 'theme'), name='projects_roundbudget_unique_theme'),
        ),
        migrations.AddConstraint(
            model_name='roundbudget',
            constraint=models.UniqueConstraint(condition=models.Q(('laboratory__isnull', False)), fields=('round', 'laboratory'), name='projects_roundbudget_unique_laboratory'),
        ),
                ],
        ),
    ]
