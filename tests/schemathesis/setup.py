"""Real data for the schemathesis run (scripts/schemathesis.sh), made through the API itself.

Reads BASE (the server), MAIL_DIR (the file mail transport's folder), ADMIN_EMAIL and
PASSWORD (the admin made with `benchside create-admin`) from the environment. Creates and
verifies two learners, enrols the first in the phlebotomy course (a lesson opened, a quiz
attempt started and an answer saved), and as the admin a cohort with a code, the second
learner as a member, an externship site and a placement. Prints shell assignments
(`NAME='value'`) of the tokens and IDs for the script to export.
"""

import json
import os
import re
import sys
import time
import uuid

import requests

BASE = os.environ["BASE"].rstrip("/")
MAIL_DIR = os.environ["MAIL_DIR"]
PASSWORD = os.environ["PASSWORD"]
COURSE = "phlebotomy-technician"


def call(method, path, token=None, body=None, expect=(200, 201)):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = requests.request(method, BASE + path, json=body, headers=headers, timeout=30)
    if r.status_code not in expect:
        sys.exit(f"setup: {method} {path} answered {r.status_code}: {r.text[:500]}")
    return r.json() if r.content else None


def verification_token(email):
    """The token of the verification link mailed to `email` (the job runner delivers it)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        for name in os.listdir(MAIL_DIR) if os.path.isdir(MAIL_DIR) else []:
            with open(os.path.join(MAIL_DIR, name), encoding="utf-8", errors="replace") as f:
                raw = f.read().replace("=\r\n", "").replace("=\n", "")
            if email in raw:
                m = re.search(r"verify-email\?token=3D([A-Za-z0-9_\-]+)|verify-email\?token=([A-Za-z0-9_\-]+)", raw)
                if m:
                    return m.group(1) or m.group(2)
        time.sleep(0.2)
    sys.exit(f"setup: no verification mail to {email} in {MAIL_DIR}")


def learner(tag):
    email = f"st-{tag}-{uuid.uuid4().hex[:8]}@example.org"
    call("POST", "/api/v1/auth/register", body={"email": email, "name": f"Schemathesis {tag}", "password": PASSWORD})
    call("POST", "/api/v1/auth/verify-email", body={"token": verification_token(email)})
    return email, login(email)


def login(email):
    return call("POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})


def main():
    out = {}
    admin = login(os.environ["ADMIN_EMAIL"])
    admin_token = admin["access_token"]
    out["ADMIN_TOKEN"] = admin_token
    out["ADMIN_ID"] = admin["user"]["id"]

    email, session = learner("learner")
    token = session["access_token"]
    out["LEARNER_TOKEN"] = token
    out["LEARNER_ID"] = session["user"]["id"]
    out["LEARNER_EMAIL"] = email
    out["COURSE"] = COURSE

    enrolment = call("POST", f"/api/v1/courses/{COURSE}/enrolment", token)
    eid = enrolment["id"]
    out["ENROLMENT_ID"] = eid
    detail = call("GET", f"/api/v1/enrolments/{eid}", token)
    first = detail["modules"][0]
    lesson = first["lessons"][0]["slug"]
    out["LESSON"] = lesson
    call("GET", f"/api/v1/enrolments/{eid}/lessons/{lesson}", token)
    # The first module's lessons complete, so its quiz opens.
    for item in first["lessons"]:
        call("PUT", f"/api/v1/enrolments/{eid}/lessons/{item['slug']}/completion", token)
    quiz = first["quiz"]["slug"]
    out["QUIZ"] = quiz
    attempt = call("POST", f"/api/v1/enrolments/{eid}/quizzes/{quiz}/attempts", token)
    out["ATTEMPT_ID"] = attempt["id"]
    spare = call("POST", "/api/v1/courses/mlt-foundations/enrolment", token)
    out["SPARE_ENROLMENT_ID"] = spare["id"]

    # A free-preview lesson of the course, when it has one.
    course = call("GET", f"/api/v1/courses/{COURSE}")
    previews = [
        l["slug"]
        for m in course.get("modules", [])
        for l in m.get("lessons", [])
        if l.get("free_preview") or l.get("preview")
    ]
    out["PREVIEW_LESSON"] = previews[0] if previews else lesson

    cohort = call(
        "POST",
        "/api/v1/admin/cohorts",
        admin_token,
        {"course": COURSE, "name": f"Schemathesis {uuid.uuid4().hex[:6]}", "starts_on": time.strftime("%Y-%m-%d")},
    )
    out["COHORT_ID"] = cohort["id"]
    code = call("POST", f"/api/v1/admin/cohorts/{cohort['id']}/codes", admin_token, {})
    out["CODE_ID"] = code["id"]
    out["CODE"] = code["code"]
    member_email, member_session = learner("member")
    member = call("POST", f"/api/v1/admin/cohorts/{cohort['id']}/members", admin_token, {"email": member_email})
    out["MEMBER_USER_ID"] = member_session["user"]["id"]
    out["MEMBER_ENROLMENT_ID"] = member["enrolment_id"]

    site = call(
        "POST",
        "/api/v1/admin/externship/sites",
        admin_token,
        {"name": f"Schemathesis Lab {uuid.uuid4().hex[:6]}", "address": "1 Main Street, Springfield"},
    )
    out["SITE_ID"] = site["id"]
    placement = call(
        "POST",
        "/api/v1/admin/externship/placements",
        admin_token,
        {
            "enrolment_id": eid,
            "site_id": site["id"],
            "supervisor_name": "Pat Supervisor",
            "supervisor_email": "supervisor@example.org",
            "starts_on": time.strftime("%Y-%m-%d"),
            "ends_on": time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400)),
        },
    )
    out["PLACEMENT_ID"] = placement["id"]

    for k, v in out.items():
        print(f"{k}='{v}'")
    json.dump(out, sys.stderr, indent=1)


if __name__ == "__main__":
    main()
