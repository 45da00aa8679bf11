"""The job queue between the doors (webhook server) and the workers that run the pipeline."""

from bot.queue.jobs_queue import QUEUE_URL_ENV, JobHandler, JobQueue, Submission

__all__ = ["QUEUE_URL_ENV", "JobHandler", "JobQueue", "Submission"]
