/// A document on a thread's documents tab: attached in a message, uploaded in the thread, or
/// attached by a team member. The name, type and size are DocService's when it was attached.
struct ThreadDocumentRecord: Codable, Sendable {
    var threadId: String
    var documentId: String
    var messageId: String?
    var name: String
    var contentType: String
    var size: Int64
    /// 1 when attached in an internal note: the team alone sees it.
    var teamOnly: Int64
    var attachedBy: String
    var attachedByKind: String
    var attachedAt: Int64
}

/// A job a thread is linked to.
struct JobLinkRecord: Codable, Sendable {
    var threadId: String
    var jobId: String
    var firmId: String
    var accountId: String
    var linkedBy: String
    var linkedAt: Int64
}
