/// The example of docs/PIPELINE-FORMAT.md, word for word (a test checks they agree): a
/// personal-tax pipeline of three stages with two chat templates and an e-mail template.
enum PersonalTaxPipeline {
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
          {
            "type": "send_message",
            "mode": "new_thread",
            "template": "chat-1",
            "reminders": { "everyDays": 3, "times": 2 }
          }
        ]
      },
      {
        "name": "Preparation",
        "automove": false,
        "automations": [
          { "type": "send_message", "mode": "reply_latest", "template": "chat-2" },
          { "type": "update_account_tags", "tags": { "add": ["Reviewed"] } },
          {
            "type": "send_email",
            "template": "email-1",
            "condition": { "match": "any", "tags": ["Business"] }
          }
        ]
      },
      { "name": "Filed", "automove": false, "automations": [] }
    ]
  },
  "templates": {
    "chat": [
      {
        "ref": "chat-1",
        "name": "Personal tax: documents",
        "subject": "[JOB_NAME]: the documents we need",
        "body": "Hello [CONTACT_FIRST_NAME],\n\nTo prepare your [LAST_YEAR] return we need the documents below. Please upload each one and tick its task.\n\n[FIRM_NAME]",
        "tasks": [
          { "text": "Upload your income statements (W-2, 1099)" },
          { "text": "Upload last year's tax return" },
          { "text": "Upload receipts for deductible expenses" }
        ],
        "reminders": { "daysUntilNext": 3, "count": 2 }
      },
      {
        "ref": "chat-2",
        "name": "Personal tax: draft ready",
        "subject": "[JOB_NAME]: your draft return",
        "body": "Hello [CONTACT_FIRST_NAME],\n\nYour draft return is ready. Please review it and confirm below.",
        "tasks": [
          { "text": "Review the draft return" },
          { "text": "Confirm your bank details for the refund" }
        ]
      }
    ],
    "email": [
      {
        "ref": "email-1",
        "name": "Personal tax: business income",
        "subject": "[ACCOUNT_NAME]: your business income schedule",
        "body": "Hello [CONTACT_FIRST_NAME],\n\nAs you have business income, we will also prepare the business schedule of your [LAST_YEAR] return.\n\n[FIRM_NAME]"
      }
    ]
  }
}
"""#
}
