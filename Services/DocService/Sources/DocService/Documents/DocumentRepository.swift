import AtriumRuntime
import SQLKit

/// One page of documents in id order; `next` is the cursor of the following page, if any.
struct DocumentPage: Sendable {
    var items: [DocumentRecord]
    var next: String?
}

/// What a listing asks for.
struct DocumentQuery: Sendable {
    var accountID: String
    var folderID: String?
    /// Lower-cased part of the name.
    var search: String?
    /// For a contact: only documents they may see (client access, or their own uploads).
    var contactID: String?
    var after: String?
    var limit: Int
}

/// Storage of documents: one SQL code path for SQLite and PostgreSQL; each method runs on the
/// connection it is given.
struct DocumentRepository: Sendable {
    let forUpdate: String

    func insert(_ document: DocumentRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "documents").model(document, keyEncodingStrategy: .convertToSnakeCase).run()
    }

    /// A ready document, locked until the transaction ends when `lock` is true.
    func document(id: String, lock: Bool = false, on db: any SQLDatabase) async throws -> DocumentRecord? {
        let document = try await db.row(DocumentRecord.self, from: "documents", is: id, lock: lock ? forUpdate : "")
        return document?.status == DocumentRecord.ready ? document : nil
    }

    /// Marks an upload ready under `name` in its folder (a zip's file moves to the folder made for
    /// it); false when a ready sibling already has the name.
    func finish(_ document: DocumentRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.update("documents")
                .set("name", to: SQLBind(document.name)).set("name_key", to: SQLBind(document.nameKey))
                .set("folder_id", to: SQLBind(document.folderId))
                .set("size", to: SQLBind(document.size)).set("content_type", to: SQLBind(document.contentType))
                .set("sha256", to: SQLBind(document.sha256)).set("client_access", to: SQLBind(document.clientAccess))
                .set("thread_id", to: SQLBind(document.threadId)).set("status", to: SQLBind(DocumentRecord.ready))
                .set("updated_at", to: SQLBind(document.updatedAt))
                .where("id", .equal, SQLBind(document.id)).run()
        }
    }

    /// Saves a rename, move or access change; false when a ready sibling already has the name.
    func update(_ document: DocumentRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.update("documents")
                .set("name", to: SQLBind(document.name)).set("name_key", to: SQLBind(document.nameKey))
                .set("folder_id", to: SQLBind(document.folderId)).set("client_access", to: SQLBind(document.clientAccess))
                .set("updated_at", to: SQLBind(document.updatedAt))
                .where("id", .equal, SQLBind(document.id)).run()
        }
    }

    /// Hides the document for good: its bytes and row are removed next (`DocumentSweep`).
    func markDeleted(_ id: String, on db: any SQLDatabase) async throws {
        try await db.update("documents").set("status", to: SQLBind(DocumentRecord.deleted))
            .set("updated_at", to: SQLBind(EpochMillis.now())).where("id", .equal, SQLBind(id)).run()
    }

    func delete(_ id: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "documents").where("id", .equal, SQLBind(id)).run()
    }

    /// The lower-cased names of ready documents in `folder` that start like `prefix` (for suffixes).
    func nameKeys(in folder: String, startingWith prefix: String, on db: any SQLDatabase) async throws -> Set<String> {
        let rows = try await db.select().column("name_key").from("documents")
            .where("folder_id", .equal, SQLBind(folder)).where("status", .equal, SQLBind(DocumentRecord.ready))
            .where(Self.like(prefix, contains: false))
            .all()
        return Set(try rows.map { try $0.decode(column: "name_key", as: String.self) })
    }

    func hasDocuments(inFolder folder: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.select().column("id").from("documents").where("folder_id", .equal, SQLBind(folder)).limit(1).first() != nil
    }

    func page(_ query: DocumentQuery, on db: any SQLDatabase) async throws -> DocumentPage {
        var select = db.select().column("*").from("documents")
            .where("account_id", .equal, SQLBind(query.accountID)).where("status", .equal, SQLBind(DocumentRecord.ready))
        if let folder = query.folderID { select = select.where("folder_id", .equal, SQLBind(folder)) }
        if let search = query.search, !search.isEmpty {
            select = select.where(Self.like(search, contains: true))
        }
        if let contact = query.contactID {
            select = select.where { group in
                group.where("client_access", .in, [ClientAccess.view.rawValue, ClientAccess.edit.rawValue])
                    .orWhere { own in
                        own.where("uploader_kind", .equal, SQLBind(Caller.Kind.contact.rawValue)).where("uploader_id", .equal, SQLBind(contact))
                    }
            }
        }
        if let after = query.after { select = select.where("id", .greaterThan, SQLBind(after)) }
        let rows = try await select.orderBy("id").limit(query.limit + 1)
            .all(decoding: DocumentRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        let items = Array(rows.prefix(query.limit))
        return DocumentPage(items: items, next: rows.count > query.limit ? items.last?.id : nil)
    }

    /// Rows whose bytes are to go: uploads still `uploading` that began before `cutoff`
    /// (milliseconds; cut off by a crash), and `deleted` ones whose removal was interrupted.
    func abandoned(before cutoff: Int64, limit: Int, on db: any SQLDatabase) async throws -> [DocumentRecord] {
        try await db.select().column("*").from("documents")
            .where { group in
                group.where { uploading in
                    uploading.where("status", .equal, SQLBind(DocumentRecord.uploading)).where("created_at", .lessThan, SQLBind(cutoff))
                }
                .orWhere("status", .equal, SQLBind(DocumentRecord.deleted))
            }
            .orderBy("created_at").limit(limit)
            .all(decoding: DocumentRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// `name_key LIKE <bound pattern>`: `text` as a prefix, or anywhere when `contains`; its `%`,
    /// `_` and `\` match themselves.
    static func like(_ text: String, contains: Bool) -> SQLQueryString {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        let pattern = (contains ? "%" : "") + escaped + "%"
        return "name_key LIKE \(bind: pattern) ESCAPE '\\'"
    }
}
