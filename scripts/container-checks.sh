# The headline checks over the compose project's published ports, for scripts/container-compose.
# Needs: `host[<name>]` (each service's published port), `mailbox` (the SMTP mailbox's HTTP API,
# Mailpit's), and `restart_chat`, which kills chat-service with SIGKILL and waits for it to go.

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
  for _ in $(seq 1 300); do
    message=$(curl -fsS "$mailbox/api/v1/messages" | python3 -c "import json,sys; print(next((m['ID'] for m in json.load(sys.stdin)['messages'] if m['To'][0]['Address'] == 'client@container.example'), ''))")
    [ -n "$message" ] && break; sleep 0.1
  done
  invitation=$(curl -fsS "$mailbox/api/v1/message/$message/raw" | python3 -c '
import email, re, sys
message = email.message_from_bytes(sys.stdin.buffer.read())
text = next(part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == "text/plain")
print(re.search(r"token=([A-Za-z0-9_\-]+)", text).group(1))')
  echo "the invitation e-mail crossed from AccountService to NotifyService to the SMTP container"
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

# A document uploaded through DocService into the S3 container and read back, byte for byte.
documents() {
  local folder document sample="$work/sample.bin"
  head -c 3000000 /dev/urandom > "$sample"
  folder=$(call POST doc "/v1/accounts/$account/folders" "$token" '{"name":"Year end"}' | json "['id']")
  document=$(curl -sS --fail-with-body -X POST "http://127.0.0.1:${host[doc]}/v1/accounts/$account/folders/$folder/documents" \
    -H "authorization: Bearer $token" -F "file=@$sample;filename=ledger.bin" | json "['items'][0]['id']")
  curl -fsS "http://127.0.0.1:${host[doc]}/v1/documents/$document/content" -H "authorization: Bearer $token" | cmp - "$sample"
  echo "a 3 MB document went into the S3 container through DocService and came back the same"
}

# chat-service killed and restarted: what it stored is still there.
after_restart() {
  restart_chat
  wait_ready chat 120
  call GET chat "/v1/threads/$thread_id" "$token" | json "['completedTasks']" | grep -qx 1
  echo "chat-service killed with SIGKILL and restarted: its thread is there"
}
