"""A state report's PDF or XLSX as a download, for the web page and the API alike."""

from django.http import FileResponse, Http404

from sangathan.controlroom import reports
from sangathan.core.exports import XLSX_TYPE


def report_file_response(user, pk: int, fmt: str) -> FileResponse:
    """The report's file in ``fmt`` ("pdf" or "xlsx") if ``user`` may see the report, as an attachment never
    stored by a browser or a proxy; 404 otherwise or when that file was not made."""
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    report = reports.get_report_for_user(user, pk)
    field = report.pdf if fmt == "pdf" else report.xlsx
    if not field:
        raise Http404
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{reports.file_stem(report)}.{fmt}",
        content_type="application/pdf" if fmt == "pdf" else XLSX_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response
