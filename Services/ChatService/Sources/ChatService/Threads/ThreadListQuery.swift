import AtriumRuntime
import Foundation
import SQLKit

/// One page of a thread list: whose threads, which ones, from where.
struct ThreadListQuery: Sendable {
    enum Scope: Sendable {
        /// One account's threads.
        case account(String)
        /// Every account of the firm (owners, admins, "view all accounts").
        case firm(String)
        /// The accounts the person is assigned to (a member) or a portal contact of, in their firm.
        case person(String, firm: String)
    }

    var scope: Scope
    var viewer: Viewer
    /// `active`, `archived` or nil for both.
    var status: String?
    var tasks: TaskFilter
    var after: ThreadCursor?
    var limit: Int

    enum TaskFilter: String, Sendable {
        case any, incomplete, complete
        case withTasks = "with_tasks"
    }

    /// Newest activity first (the activity the viewer may see), then id.
    func run(on db: any SQLDatabase) async throws -> [ThreadRecord] {
        let activity = viewer.seesInternal ? "last_activity_at" : "last_public_at"
        let query = db.select().column("*").from("threads")
        switch scope {
        case .account(let id): query.where("account_id", .equal, SQLBind(id))
        case .firm(let id): query.where("firm_id", .equal, SQLBind(id))
        case .person(let id, let firm):
            query.where("firm_id", .equal, SQLBind(firm)).where(SQLColumn("account_id"), .in, AccountReplica.accounts(of: id))
        }
        if let status { query.where("status", .equal, SQLBind(status)) }
        switch tasks {
        case .any: break
        case .withTasks: query.where("tasks_total", .greaterThan, SQLBind(0))
        case .incomplete: query.where("tasks_total", .greaterThan, SQLBind(0)).where(SQLColumn("tasks_done"), .lessThan, SQLColumn("tasks_total"))
        case .complete: query.where("tasks_total", .greaterThan, SQLBind(0)).where(SQLColumn("tasks_done"), .equal, SQLColumn("tasks_total"))
        }
        if let after {
            query.where { group in
                group.where(SQLColumn(activity), .lessThan, SQLBind(after.activity))
                    .orWhere { $0.where(SQLColumn(activity), .equal, SQLBind(after.activity)).where("id", .lessThan, SQLBind(after.id)) }
            }
        }
        return try await query.orderBy(activity, .descending).orderBy("id", .descending).limit(limit)
            .all(decoding: ThreadRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }
}

/// Where a thread list page ends: the last thread's activity time and id, as `<millis>.<id>`.
struct ThreadCursor: Sendable {
    var activity: Int64
    var id: String

    init(activity: Int64, id: String) {
        self.activity = activity
        self.id = id
    }

    init(_ text: String) throws {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let activity = Int64(parts[0]), parts[1].utf8.count <= 100 else {
            throw ChatError.invalid("cursor is not one this list gave.")
        }
        self.init(activity: activity, id: String(parts[1]))
    }

    var text: String { "\(activity).\(id)" }
}
