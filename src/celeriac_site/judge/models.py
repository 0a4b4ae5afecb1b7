"""The judge's data: problems and their tests, generation jobs, and submissions (SearchHistory)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Checker(models.TextChoices):
    EXACT = "exact", "exact bytes"
    WHITESPACE = "whitespace", "whitespace-tolerant"
    FLOAT = "float", "floating-point tolerance"


class Problem(models.Model):
    """A problem of a platform (``baekjoon`` / ``codeforces`` / ``local``) with limits and a reference."""

    platform = models.CharField(max_length=32)
    problem_id = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    statement = models.TextField(blank=True)
    constraints = models.TextField(blank=True)
    time_limit_ms = models.PositiveIntegerField(default=2000)
    memory_limit_mb = models.PositiveIntegerField(default=256)
    checker = models.CharField(max_length=16, choices=Checker.choices, default=Checker.WHITESPACE)
    float_tolerance = models.FloatField(default=1e-6)
    metadata = models.JSONField(default=dict, blank=True)
    reference_language = models.CharField(max_length=16, blank=True)
    reference_solution = models.TextField(blank=True)
    generator_language = models.CharField(max_length=16, blank=True)
    generator_code = models.TextField(blank=True)
    submission_count = models.PositiveIntegerField(default=0)
    accepted_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "problem_id"], name="judge_problem_key")]
        indexes = [models.Index(fields=["-created"], name="judge_problem_recent")]

    def __str__(self) -> str:
        return f"{self.platform}/{self.problem_id} {self.title}"


class TestCase(models.Model):
    """One input and its expected output; samples come from the statement, others are generated."""

    class Source(models.TextChoices):
        SAMPLE = "sample"
        GENERATED = "generated"
        MANUAL = "manual"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="test_cases")
    position = models.PositiveIntegerField(default=0)
    input = models.TextField(blank=True)
    expected_output = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["problem", "position"], name="judge_testcase_order")]

    @property
    def is_sample(self) -> bool:
        return self.source == self.Source.SAMPLE

    def __str__(self) -> str:
        return f"{self.problem_id}#{self.position}"


class JobStatus(models.TextChoices):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class ScriptGenerationJob(models.Model):
    """A request to generate test inputs for a problem, from an LLM or from a structured input spec."""

    platform = models.CharField(max_length=32)
    problem_id = models.CharField(max_length=64)
    #: Set when the job is created through the API, so the task need not look the problem up.
    target = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_jobs"
    )
    title = models.CharField(max_length=300)
    language = models.CharField(max_length=16, default="python")
    constraints = models.TextField(blank=True)
    input_spec = models.JSONField(null=True, blank=True)
    num_cases = models.PositiveIntegerField(default=10)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    generator_source = models.CharField(max_length=32, blank=True)  # "llm:<model>" or "spec:v1"
    generator_code = models.TextField(blank=True)
    cases_created = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created"], name="judge_job_queue")]

    def __str__(self) -> str:
        return f"job {self.pk} {self.platform}/{self.problem_id} {self.status}"


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued"
    COMPLETED = "completed"
    FAILED = "failed"


class SearchHistory(models.Model):
    """A submission and its verdicts (the seeds' name): who, which problem, what code, what came out."""

    task_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    user_identifier = models.CharField(max_length=254)
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="submissions")
    code = models.TextField()
    language = models.CharField(max_length=16)
    status = models.CharField(
        max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.QUEUED
    )
    verdict = models.CharField(max_length=4, blank=True)
    compile_output = models.TextField(blank=True)
    test_results = models.JSONField(default=list, blank=True)
    passed_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    total_count = models.PositiveIntegerField(default=0)
    is_code_public = models.BooleanField(default=False)
    callback_url = models.URLField(blank=True)
    hints = models.JSONField(null=True, blank=True)
    hints_source = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user_identifier", "-created"], name="judge_hist_user"),
            models.Index(fields=["problem", "-created"], name="judge_hist_problem"),
            models.Index(fields=["is_code_public", "-created"], name="judge_hist_public"),
        ]
        verbose_name_plural = "search histories"

    def __str__(self) -> str:
        return f"submission {self.pk} {self.language} {self.verdict or self.status}"
