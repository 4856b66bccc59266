#!/usr/bin/env python3
"""A flow through the compose project with a service killed in the middle of it.

    container-flow.py --token T --account A --mailbox URL --kill COMMAND [--jobs N] [--port-base 8081]

A pipeline whose first stage runs five automations (a new chat thread with a task, a tag, an
e-mail to the client, a team task, a reply in the thread) takes N jobs, created at once by clients
that each carry an Idempotency-Key. Once a quarter of them are answered, COMMAND runs (it kills
pipeline-service with SIGKILL; compose's restart policy brings it back). The clients retry with
their keys until each is answered; then every job must exist once and every automation must have
done its work once: one thread holding two "We have started." messages and two tasks, one team
task, and one e-mail, counted both in NotifyService and in the SMTP mailbox. Exits non-zero,
saying what was lost or doubled, otherwise.
"""

import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SERVICES = {"account": 0, "chat": 1, "pipeline": 2, "notify": 3, "doc": 4}


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--token", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--mailbox", required=True, help="the SMTP mailbox's HTTP API (Mailpit's)")
    parser.add_argument("--kill", required=True, help="a shell command that kills the service")
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--port-base", type=int, default=8081)
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the flow to complete after the kill")
    return parser.parse_args()


class Client:
    def __init__(self, options):
        self.options = options

    def call(self, method, service, path, body=None, key=None):
        """(status, json or None); a connection refused or reset is status 0."""
        url = f"http://127.0.0.1:{self.options.port_base + SERVICES[service]}{path}"
        headers = {"authorization": f"Bearer {self.options.token}", "content-type": "application/json"}
        if key:
            headers["idempotency-key"] = key
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            return error.code, None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, None

    def must(self, method, service, path, body=None, expect=(200, 201)):
        deadline = time.monotonic() + 120
        status, answer = self.call(method, service, path, body)
        while status == 0 and time.monotonic() < deadline:  # the service is coming back up
            time.sleep(0.2)
            status, answer = self.call(method, service, path, body)
        if status not in expect:
            sys.exit(f"{method} {service}{path} answered {status}")
        return answer

    def items(self, service, path):
        found, cursor = [], None
        while True:
            separator = "&" if "?" in path else "?"
            page = self.must("GET", service, path + (f"{separator}cursor={cursor}" if cursor else ""))
            found += page.get("items", [])
            cursor = page.get("nextCursor")
            if not cursor:
                return found


def eventually(what, check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    sys.exit(f"timed out waiting for {what}")


def main():
    options = parse()
    client = Client(options)
    tag = client.must("POST", "account", "/v1/tags", {"name": "Started"})["id"]
    chat_template = client.must("POST", "chat", "/v1/chat-templates", {
        "name": "Kick-off", "subject": "[JOB_NAME]", "body": "We have started.", "tasks": [{"text": "Say hello"}]})["id"]
    email_template = client.must("POST", "notify", "/v1/email-templates", {
        "name": "Kick-off", "subject": "Kill test: [JOB_NAME]", "body": "Started."})["id"]
    task_template = client.must("POST", "pipeline", "/v1/item-templates", {
        "kind": "task", "name": "Prepare", "task": {"title": "Prepare"}})["id"]
    pipeline = client.must("POST", "pipeline", "/v1/pipelines", {"name": "Kill", "stages": [{"name": "Start"}, {"name": "End"}]})
    stage = pipeline["stages"][0]["id"]
    for automation in [
        {"type": "send_message", "templateId": chat_template, "mode": "new_thread"},
        {"type": "update_account_tags", "tags": {"add": [tag]}},
        {"type": "send_email", "templateId": email_template},
        {"type": "create_task", "templateId": task_template},
        {"type": "send_message", "templateId": chat_template, "mode": "reply_latest"},
    ]:
        client.must("POST", "pipeline", f"/v1/pipelines/{pipeline['id']}/stages/{stage}/automations", automation, expect=(201,))

    jobs = {}
    lock = threading.Lock()
    killed = threading.Event()
    kill_time = []
    unanswered = []

    def create(index):
        status, answer = client.call("POST", "pipeline", "/v1/jobs", {
            "accountId": options.account, "pipelineId": pipeline["id"], "name": f"Job {index}"}, key=f"container-kill-job-{index}")
        if status != 201:
            with lock:
                unanswered.append((index, status))
            return
        with lock:
            jobs[index] = answer["id"]
            answered = len(jobs)
        # The client whose answer makes a quarter kills the service at once: later jobs are still
        # being created and every job's automations are still running.
        if answered == options.jobs // 4 and not killed.is_set():
            killed.set()
            subprocess.run(options.kill, shell=True, check=True)
            kill_time.append(time.monotonic())
            print(f"pipeline-service killed with SIGKILL when {answered} of {options.jobs} jobs were answered", flush=True)

    started = time.monotonic()
    # Four clients, each creating its jobs one after another, so the kill finds creations still to
    # come as well as automations running.
    pending = list(range(options.jobs))

    def client_loop():
        while True:
            with lock:
                if not pending:
                    return
                index = pending.pop(0)
            create(index)

    creators = [threading.Thread(target=client_loop) for _ in range(4)]
    for creator in creators:
        creator.start()
    for creator in creators:
        creator.join()
    if not killed.is_set():
        sys.exit("the service was never killed: fewer than a quarter of the jobs were answered")
    killed_at = kill_time[0]
    print(f"{len(unanswered)} creations went unanswered or failed in the kill "
          f"({', '.join(sorted({str(status) for _, status in unanswered})) or 'none'}); their clients retry with their keys", flush=True)
    # Each client retries with its key until it is answered (compose restarts the service).
    for index in range(options.jobs):
        eventually(f"job {index} to be answered", lambda: index in jobs or create(index) or index in jobs, options.timeout)
    ids = list(jobs.values())
    if len(set(ids)) != options.jobs:
        sys.exit(f"the retries made {len(set(ids))} distinct jobs of {options.jobs}")
    listed = client.items("pipeline", f"/v1/jobs?accountId={options.account}")
    if len(listed) != options.jobs:
        sys.exit(f"the account has {len(listed)} jobs, not {options.jobs}: one was lost or made twice")

    def automations_done(job):
        status, answer = client.call("GET", "pipeline", f"/v1/jobs/{job}/automation-runs")
        runs = (answer or {}).get("items", [])
        failed = [run for run in runs if run.get("status") == "failed"]
        if failed:
            sys.exit(f"an automation of {job} failed for good: {failed}")
        return status == 200 and len(runs) == 5 and all(run.get("status") == "succeeded" for run in runs)

    for job in ids:
        eventually(f"the automations of {job}", lambda: automations_done(job), options.timeout)
        threads = client.must("GET", "chat", f"/v1/jobs/{job}/threads")["items"]
        if len(threads) != 1:
            sys.exit(f"{job} has {len(threads)} threads, not one")
        thread = threads[0]["threadId"]
        posted = [m for m in client.items("chat", f"/v1/threads/{thread}/messages?limit=100") if m.get("text") == "We have started."]
        if len(posted) != 2:
            sys.exit(f"{job}'s thread holds {len(posted)} kick-off messages, not two")
        tasks = client.must("GET", "chat", f"/v1/threads/{thread}").get("tasks", [])
        if len(tasks) != 2:
            sys.exit(f"{job}'s thread holds {len(tasks)} tasks, not two")
        team = client.must("GET", "pipeline", f"/v1/jobs/{job}/tasks")["items"]
        if len(team) != 1:
            sys.exit(f"{job} has {len(team)} team tasks, not one")
    expected = {f"Kill test: Job {index}" for index in range(options.jobs)}
    recorded = [e["subject"] for e in client.items("notify", "/v1/emails?limit=100") if e.get("subject", "").startswith("Kill test: ")]
    if sorted(recorded) != sorted(expected):
        sys.exit(f"NotifyService holds {len(recorded)} kick-off e-mails ({len(set(recorded))} distinct), not {options.jobs}")

    def delivered():
        with urllib.request.urlopen(f"{options.mailbox}/api/v1/messages", timeout=10) as response:
            subjects = [m["Subject"] for m in json.load(response)["messages"] if m["Subject"].startswith("Kill test: ")]
        if len(subjects) > options.jobs:
            sys.exit(f"the mailbox received {len(subjects)} kick-off e-mails for {options.jobs} jobs")
        return sorted(subjects) == sorted(expected)

    eventually("each kick-off e-mail in the mailbox", delivered, options.timeout)
    print(f"{options.jobs} jobs × 5 automations complete {time.monotonic() - killed_at:.1f} s after the kill "
          f"({time.monotonic() - started:.1f} s in all): each job once, one thread with two messages and two tasks, "
          "one team task, one e-mail in NotifyService and one in the mailbox", flush=True)


if __name__ == "__main__":
    main()
