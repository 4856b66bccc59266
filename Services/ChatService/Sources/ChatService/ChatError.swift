public import AtriumRuntime
public import HTTPTypes

/// Everything ChatService refuses, and why.
public enum ChatError: ProblemConvertible, Equatable {
    case threadNotFound(String)
    case accountNotFound(String)
    case taskNotFound(String)
    /// No thread the caller may see is linked to the job.
    case jobNotFound(String)
    case bulkSendNotFound(String)
    case invalid(String)
    case notAllowed(String)
    /// Contacts named as recipients who cannot receive messages, with why (SPEC "People and access").
    case recipientsCannotReceive([String])
    /// The thread would have no one to write to.
    case noEligibleRecipient(String)
    /// @mentions of people who are not team members able to see the account.
    case mentionsRefused([String])
    /// An attachment that is not a document of the thread's account that the author may attach.
    case attachmentRefused(String)
    /// The thread is archived: reopen it first.
    case archived(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .threadNotFound, .taskNotFound, .accountNotFound, .jobNotFound, .bulkSendNotFound: .notFound
        case .invalid: .badRequest
        case .notAllowed: .forbidden
        case .archived: .conflict
        case .recipientsCannotReceive, .noEligibleRecipient, .mentionsRefused, .attachmentRefused: .unprocessableContent
        }
    }

    public var problemSlug: String {
        switch self {
        case .threadNotFound: "thread-not-found"
        case .accountNotFound: "account-not-found"
        case .taskNotFound: "task-not-found"
        case .jobNotFound: "job-not-found"
        case .bulkSendNotFound: "bulk-send-not-found"
        case .invalid: "invalid-request"
        case .notAllowed: "forbidden"
        case .recipientsCannotReceive: "recipient-cannot-receive"
        case .noEligibleRecipient: "no-eligible-recipient"
        case .mentionsRefused: "mention-refused"
        case .attachmentRefused: "attachment-refused"
        case .archived: "thread-archived"
        }
    }

    public var problemDetail: String {
        switch self {
        case .threadNotFound(let id): "No thread \(id) that you can see."
        case .accountNotFound(let id): "No account \(id) that you can see."
        case .taskNotFound(let id): "No task \(id) in this thread."
        case .jobNotFound(let id): "No job \(id) with a thread that you can see."
        case .bulkSendNotFound(let id): "No bulk send \(id) that you can see."
        case .invalid(let why), .notAllowed(let why), .noEligibleRecipient(let why), .attachmentRefused(let why), .archived(let why): why
        case .recipientsCannotReceive(let reasons): "These recipients cannot receive messages: " + reasons.joined(separator: "; ") + "."
        case .mentionsRefused(let reasons): "These @mentions are refused: " + reasons.joined(separator: "; ") + "."
        }
    }
}
