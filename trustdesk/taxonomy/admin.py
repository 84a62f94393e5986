from django.contrib import admin

from .models import Category, Keyword, Market


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "restricted_by_default", "sensitive"]
    filter_horizontal = ["keywords"]


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "eu"]
    list_filter = ["region", "eu"]
    search_fields = ["name", "code"]
