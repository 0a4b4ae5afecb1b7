"""Django admin for the judge's data."""

from django.contrib import admin

from celeriac_site.judge.models import Problem, ScriptGenerationJob, SearchHistory, TestCase


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("platform", "problem_id", "title", "submission_count", "accepted_count")
    search_fields = ("problem_id", "title")


admin.site.register(TestCase)
admin.site.register(ScriptGenerationJob)
admin.site.register(SearchHistory)
