from django.contrib import admin

from mesocentre.capacity.models import Host, Site

admin.site.register(Site)
admin.site.register(Host)
