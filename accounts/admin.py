from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, User

admin.site.register(User, UserAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "owner", "prefix", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
