from django.contrib import admin

from mesocentre.capacity.models import Host, Site
from mesocentre.core.admin import OperatorAdmin

admin.site.register(Site, OperatorAdmin)
admin.site.register(Host, OperatorAdmin)
