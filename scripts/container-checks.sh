# The headline checks over published ports, shared by scripts/container-smoke and
# scripts/container-compose. Needs: `host[<name>]` (each service's published port) and `mail`
# (the SMTP sink's directory) set by the caller; `restart_chat` kills chat-service with SIGKILL
# and brings it back (each caller its own way).

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
call() {  # method service path token [body]
  curl -sS --fail-with-body -X "$1" "http://127.0.0.1:${host[$2]}$3" -H "authorization: Bearer $4" -H 'content-type: application/json' ${5:+-d "$5"}
}
checks() {
  signup=$(curl -sS --fail-with-body -X POST "http://127.0.0.1:${host[account]}/v1/firms" -H 'content-type: application/json' \
    -d '{"firmName":"Container & Co","owner":{"email":"owner@container.example","firstName":"Cora","lastName":"Tainer","password":"a long enough password"}}')
  token=$(echo "$signup" | json "['tokens']['accessToken']")
  account=$(call POST account /v1/accounts "$token" '{"name":"Boxed Ltd","kind":"company"}' | json "['id']")
  # A client: added with portal access, invited (AccountService → NotifyService by webhook → SMTP),
  # and accepting the link from the e-mail the SMTP server received.
  contact=$(call POST account "/v1/accounts/$account/contacts" "$token" \
    '{"email":"client@container.example","firstName":"Cleo","lastName":"Client","portalAccess":true}' | json "['id']")
  call POST account "/v1/accounts/$account/contacts/$contact/invitation" "$token" >/dev/null
  for _ in $(seq 1 300); do ls "$mail"/message-*.json >/dev/null 2>&1 && break; sleep 0.1; done
  invitation=$(python3 - "$mail" <<'PY'
import base64, email, glob, json, re, sys
record = json.load(open(sorted(glob.glob(sys.argv[1] + "/message-*.json"))[0]))
message = email.message_from_bytes(base64.b64decode(record["raw"]))
text = next(part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == "text/plain")
print(re.search(r"token=([A-Za-z0-9_\-]+)", text).group(1))
PY
  )
  echo "the invitation e-mail crossed from AccountService to NotifyService to the SMTP server"
  client=$(curl -sS --fail-with-body -X POST "http://127.0.0.1:${host[account]}/v1/invitations/accept" -H 'content-type: application/json' \
    -d "{\"token\":\"$invitation\",\"password\":\"a long enough password\"}" | json "['accessToken']")
  thread=$(call POST chat /v1/threads "$token" "{\"accountId\":\"$account\",\"subject\":\"Documents\",\"text\":\"Please\",\"tasks\":[{\"text\":\"Upload\"}]}")
  thread_id=$(echo "$thread" | json "['id']")
  task_id=$(echo "$thread" | json "['tasks'][0]['id']")
  call PATCH chat "/v1/threads/$thread_id/tasks/$task_id" "$client" '{"done":true}' >/dev/null
  for _ in $(seq 1 200); do
    call GET pipeline "/v1/chat-threads/$thread_id" "$token" >/dev/null 2>&1 && break
    sleep 0.1
  done
  call GET pipeline "/v1/chat-threads/$thread_id" "$token" | json "['complete']" | grep -qx True
  echo "the client checked the last task: the tasks-completed webhook reached PipelineService across containers"
}

# chat-service killed and restarted: what it stored is still there.
after_restart() {
  restart_chat
  wait_ready chat 120
  call GET chat "/v1/threads/$thread_id" "$token" | json "['completedTasks']" | grep -qx 1
  echo "chat-service killed with SIGKILL and restarted: its thread is there"
}
