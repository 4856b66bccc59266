/// The headline scenario's pipeline as a marketplace document (`atrium.pipeline` version 1): stage
/// one asks the client for documents (a thread with three tasks) and an organizer; stage two
/// replies in the same thread with two more tasks, makes a team task, tags the account "Reviewed"
/// and e-mails business clients; a business-only review stage; filed.
enum HeadlinePipeline {
    static let json = #"""
{
  "format": "atrium.pipeline",
  "version": 1,
  "pipeline": {
    "name": "Personal tax",
    "stages": [
      {
        "name": "Documents",
        "automove": true,
        "automations": [
          { "type": "send_message", "mode": "new_thread", "template": "chat-1" },
          { "type": "create_organizer", "template": "organizer-1" }
        ]
      },
      {
        "name": "Preparation",
        "automove": true,
        "automations": [
          { "type": "send_message", "mode": "reply_latest", "template": "chat-2" },
          { "type": "create_task", "template": "task-1" },
          { "type": "update_account_tags", "tags": { "add": ["Reviewed"] } },
          { "type": "send_email", "template": "email-1", "condition": { "match": "any", "tags": ["Business"] } }
        ]
      },
      { "name": "Business review", "automove": false, "condition": { "match": "any", "tags": ["Business"] }, "automations": [] },
      { "name": "Filed", "automove": false, "automations": [] }
    ]
  },
  "templates": {
    "chat": [
      {
        "ref": "chat-1", "name": "Personal tax: documents", "subject": "[JOB_NAME]: the documents we need",
        "body": "Hello [CONTACT_FIRST_NAME], please upload these.",
        "tasks": [{ "text": "Upload your income statements" }, { "text": "Upload last year's return" }, { "text": "Upload your receipts" }]
      },
      {
        "ref": "chat-2", "name": "Personal tax: draft ready", "subject": "[JOB_NAME]: your draft return",
        "body": "Your draft return is ready.",
        "tasks": [{ "text": "Review the draft return" }, { "text": "Confirm your bank details" }]
      }
    ],
    "email": [
      { "ref": "email-1", "name": "Personal tax: business income", "subject": "[ACCOUNT_NAME]: business income", "body": "We will add the business schedule." }
    ],
    "items": [
      {
        "ref": "organizer-1", "kind": "organizer", "name": "Personal tax organizer",
        "content": { "title": "Your year", "questions": [
          { "id": "income", "prompt": "Total income", "type": "number", "required": true },
          { "id": "moved", "prompt": "Did you move?", "type": "yes_no" }
        ] }
      },
      {
        "ref": "task-1", "kind": "task", "name": "Prepare the return",
        "content": { "title": "Prepare the return", "description": "From the documents and the organizer.", "dueInDays": 7 }
      }
    ]
  }
}
"""#
}
