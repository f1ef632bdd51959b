"""Logs as one JSON object per line, each naming the request it was written for.

Every LogRecord made while a request is served gets that request's id as `request_id` when
it is created (a record factory installed on import), so it stays right even if the record is
formatted later or elsewhere. Loaded by LOGGING before the app registry: it imports no models.
"""

import contextvars
import datetime as dt
import json
import logging

#: The id of the request being served in this thread or task, or None.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "hipknee_request_id", default=None
)

_default_record_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs) -> logging.LogRecord:
    record = _default_record_factory(*args, **kwargs)
    record.request_id = request_id_var.get()
    return record


if getattr(_default_record_factory, "__name__", "") != _record_with_request_id.__name__:
    logging.setLogRecordFactory(_record_with_request_id)

#: Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


class JSONFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
