"""Every sentence of the survey station app, translated here and handed to its script as JSON.

The app (static/surveys/station.js) has no text of its own: the shell page carries
this catalogue in every language of the deployment (a `json_script` element), so the
supervisor and each respondent switch language on the tablet without the network.
Placeholders in braces (`{count}`) are filled in by the script.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STRINGS: dict[str, Promise] = {
    # The frame
    "app_title": _("Survey station"),
    "online_title": _("Survey"),
    "loading": _("Loading…"),
    "offline": _("No network: responses are kept on this device."),
    "online": _("Connected."),
    "ui_language": _("Language of the screens"),
    "back": _("Back"),
    "next": _("Next"),
    "close": _("Close"),
    "error_summary": _("There is a problem"),
    # Enrolment
    "enrol_title": _("Enrol this device as a survey station"),
    "enrol_intro": _(
        "Open the station's enrolment page in Arusha (Surveys, then Survey stations) and scan its QR code "
        "with this device's camera. The code works once, for 24 hours."
    ),
    "enrol_running": _("Enrolling this device…"),
    "enrol_done": _("This device is now the survey station “{station}” of {organization}."),
    "enrol_refused": _(
        "This enrolment code was already used, has expired or is not known. Make a new code on the "
        "station's page and scan it again."
    ),
    "enrol_network": _("The server cannot be reached. Connect this device to the network and scan again."),
    "not_enrolled": _("This device is not enrolled."),
    "station_retired": _(
        "The server no longer recognises this station (it was retired or enrolled on another device). "
        "Responses kept here are safe: export them to a file and enrol the device again."
    ),
    # Supervisor's home
    "home_title": _("Supervisor"),
    "station_of": _("Station “{station}” · {organization}"),
    "waves": _("Waves this station collects"),
    "no_waves": _("No wave yet. Connect to the network and refresh."),
    "refresh": _("Refresh waves and questionnaires"),
    "refreshing": _("Refreshing…"),
    "refreshed": _("Waves and questionnaires are up to date."),
    "refresh_failed": _("Could not refresh: {reason}"),
    "wave_open": _("collecting"),
    "wave_closed": _("closed: responses still on this device can be sent"),
    "package_missing": _("questionnaire not downloaded yet"),
    "package_ready": _("questionnaire on this device"),
    "start_wave": _("Check readiness and collect"),
    "update_ready": _("A new version of the app is installed and will start now."),
    # Readiness
    "readiness_title": _("Readiness check"),
    "readiness_intro": _("Collection starts only when every check has passed."),
    "check_persist": _("Responses are kept even if the device runs short of space"),
    "check_persist_fail": _(
        "The browser has not granted persistent storage. Install the app (“Add to home screen” or "
        "“Install”), then check again."
    ),
    "check_package": _("The questionnaire on this device is complete and unaltered"),
    "check_package_fail": _(
        "The questionnaire does not match the server's checksum. Connect to the network, refresh, "
        "then check again."
    ),
    "check_storage": _("Responses can be written, read and deleted on this device"),
    "check_storage_fail": _(
        "The device's storage refused a test. Leave private browsing, free some space, then check again."
    ),
    "check_encrypt": _("Responses can be encrypted with the wave's key"),
    "check_encrypt_fail": _(
        "This browser cannot encrypt with the wave's key. Use an up-to-date Chrome, Edge, Firefox or "
        "Safari over HTTPS."
    ),
    "check_space": _("At least {mb} MB of free space"),
    "check_space_fail": _("Only {free} MB are free. Delete files or apps to free space, then check again."),
    "check_running": _("checking…"),
    "check_passed": _("passed"),
    "check_failed": _("failed"),
    "check_tolerated": _("not granted, allowed on this server"),
    "check_again": _("Check again"),
    "hand_over": _("Hand over to respondents"),
    # Kiosk
    "choose_language": _("Choose your language"),
    "statement_title": _("Before you start"),
    "statement_accept": _("I have read this. Start"),
    "group_title": _("Which of these describes you best?"),
    "group_required": _("Choose the group that describes you."),
    "question_of": _("Page {page} of {pages}"),
    "required": _("required"),
    "required_missing": _("Answer this question."),
    "number_invalid": _("Enter a number."),
    "text_too_long": _("Write at most {count} characters."),
    "choose_any": _("Choose all that apply."),
    "submit_title": _("Send your answers"),
    "submit_intro": _(
        "Your answers are locked (encrypted) on this device as soon as you send them: nobody here can "
        "read them, and they carry no name, no time and no device."
    ),
    "submit": _("Send my answers"),
    "saving": _("Saving…"),
    "save_failed": _(
        "Your answers could not be saved on this device. Call the supervisor; do not close the app."
    ),
    "thanks_title": _("Thank you"),
    "thanks_text": _("Your answers are saved. The screen will be cleared for the next person."),
    "finish": _("Finish"),
    "handback": _("Supervisor"),
    "handback_confirm": _("Return to the supervisor's screen?"),
    "handback_yes": _("Yes, return"),
    "idle_title": _("Are you still there?"),
    "idle_text": _("Your unfinished answers will be discarded in {seconds} seconds."),
    "idle_continue": _("Continue answering"),
    # Responses on this device
    "reconcile_title": _("Responses on this device"),
    "reconcile_intro": _(
        "Queued: not yet sent. Sent: received by the server. Verified: the server confirmed it holds "
        "the same bytes. Conflict: the server holds another response under the same ID and kept this "
        "copy for review."
    ),
    "state_queued": _("Queued"),
    "state_sent": _("Sent"),
    "state_verified": _("Verified"),
    "state_conflict": _("Conflict"),
    "wave": _("Wave"),
    "total": _("Total"),
    "sync": _("Synchronise now"),
    "syncing": _("Synchronising…"),
    "sync_done": _("Synchronised: {sent} sent, {verified} verified."),
    "sync_failed": _("Synchronisation stopped: {reason}. It will be tried again."),
    "sync_offline": _("No network: responses stay queued and will be sent later."),
    "export": _("Export unsent responses to a file"),
    "export_done": _("{count} responses written to {file}. Nothing was removed from this device."),
    "export_none": _("No unsent response to export."),
    "purge": _("Remove verified responses"),
    "purge_confirm": _("Remove the {count} verified responses from this device? The server holds them."),
    "purge_done": _("{count} verified responses removed from this device."),
    # Online survey
    "online_sending": _("Sending your answers…"),
    "online_retry": _("The server did not answer. Trying again… Keep this page open."),
    "online_invitation_needed": _(
        "This survey is answered by invitation only. Open the link from your invitation."
    ),
    "online_invitation_used": _("This invitation has already been used. Each invitation answers once."),
    "online_refused": _("The server refused these answers: {reason}"),
    "online_closed": _("This survey is not open."),
    "online_thanks_text": _("Your answers were received. You may close this page."),
    "reason_network": _("the server cannot be reached"),
    "reason_server": _("the server answered with an error"),
}


def catalogue() -> dict[str, dict[str, str]]:
    """{language: {key: sentence}} for every language of the deployment."""
    out: dict[str, dict[str, str]] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = {key: str(text) for key, text in STRINGS.items()}
    return out
