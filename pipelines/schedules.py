"""Schedules in China Standard Time: a nightly full ingest, and the petition feed every hour."""

from __future__ import annotations

from dagster import ScheduleDefinition

from pipelines.jobs import ingest_all, ingest_petitions

nightly_ingest = ScheduleDefinition(
    job=ingest_all, cron_schedule="30 1 * * *", execution_timezone="Asia/Shanghai"
)
hourly_petitions = ScheduleDefinition(
    job=ingest_petitions, cron_schedule="15 * * * *", execution_timezone="Asia/Shanghai"
)
