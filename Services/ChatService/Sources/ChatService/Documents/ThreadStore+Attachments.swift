import AtriumRuntime
import SQLKit

extension ThreadStore {
    /// Puts the document on the thread's tab; false when it is there already. Callers hold the
    /// thread's lock, so the look and the insert cannot interleave with another attach.
    func attach(_ document: ThreadDocumentRecord, on db: any SQLDatabase) async throws -> Bool {
        let held = try await db.select().column("document_id").from("thread_documents")
            .where("thread_id", .equal, SQLBind(document.threadId)).where("document_id", .equal, SQLBind(document.documentId)).first()
        guard held == nil else { return false }
        try await db.insert(into: "thread_documents").model(document, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil)
            .ignoringConflicts(with: ["thread_id", "document_id"]).run()
        return true
    }

    func documents(of threadID: String, viewer: Viewer, on db: any SQLDatabase) async throws -> [ThreadDocumentRecord] {
        let query = db.select().column("*").from("thread_documents").where("thread_id", .equal, SQLBind(threadID))
        if !viewer.seesInternal { query.where("team_only", .equal, SQLBind(0)) }
        return try await query.orderBy("attached_at", .descending).orderBy("document_id")
            .all(decoding: ThreadDocumentRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// The attachments of these messages.
    func documents(ofMessages ids: [String], on db: any SQLDatabase) async throws -> [ThreadDocumentRecord] {
        guard !ids.isEmpty else { return [] }
        return try await db.select().column("*").from("thread_documents").where("message_id", .in, SQLBind.group(ids))
            .orderBy("attached_at").orderBy("document_id")
            .all(decoding: ThreadDocumentRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func detach(_ documentID: String, from threadID: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "thread_documents").where("thread_id", .equal, SQLBind(threadID))
            .where("document_id", .equal, SQLBind(documentID)).run()
    }

    /// Takes a deleted document off every thread.
    func forget(document documentID: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "thread_documents").where("document_id", .equal, SQLBind(documentID)).run()
    }

    // MARK: Job links

    /// Links the thread to the job (a second link changes nothing); the link as it stands.
    /// Links the thread to the job; the link as kept, and whether this call made it.
    @discardableResult
    func link(_ link: JobLinkRecord, on db: any SQLDatabase) async throws -> (link: JobLinkRecord, made: Bool) {
        let made = try await db.insert(into: "thread_jobs").model(link, keyEncodingStrategy: .convertToSnakeCase)
            .ignoringConflicts(with: ["thread_id", "job_id"]).returning("job_id").all().count > 0
        let kept = try await db.select().column("*").from("thread_jobs").where("thread_id", .equal, SQLBind(link.threadId))
            .where("job_id", .equal, SQLBind(link.jobId)).first(decoding: JobLinkRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        return (kept ?? link, made)
    }

    /// Removes the link; whether there was one.
    @discardableResult
    func unlink(thread threadID: String, job jobID: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.delete(from: "thread_jobs").where("thread_id", .equal, SQLBind(threadID)).where("job_id", .equal, SQLBind(jobID))
            .returning("job_id").all().count > 0
    }

    func jobLinks(thread threadID: String, on db: any SQLDatabase) async throws -> [JobLinkRecord] {
        try await db.select().column("*").from("thread_jobs").where("thread_id", .equal, SQLBind(threadID)).orderBy("linked_at").orderBy("job_id")
            .all(decoding: JobLinkRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func jobLinks(job jobID: String, on db: any SQLDatabase) async throws -> [JobLinkRecord] {
        try await db.select().column("*").from("thread_jobs").where("job_id", .equal, SQLBind(jobID)).orderBy("linked_at").orderBy("thread_id")
            .limit(1000).all(decoding: JobLinkRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }
}
