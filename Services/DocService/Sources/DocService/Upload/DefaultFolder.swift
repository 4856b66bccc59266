import AtriumRuntime
import Foundation
import SQLKit

/// The folder uploads land in when the request names none (a chat's attachments): the account's
/// top-level "Chat uploads", made the first time it is needed and found again in any case.
struct DefaultFolder: Sendable {
    static let name = "Chat uploads"

    let database: Database
    let folders: any FolderRepository

    /// The folder, made now if the account has none; it is made even if the upload then fails
    /// (an empty default folder is harmless and is where the next upload goes).
    func resolve(_ grant: AccountGrant, by caller: Caller) async throws -> FolderRecord {
        let folders = self.folders
        return try await database.transaction { tx in
            let tree = try await folders.lockTree(account: grant.accountID, on: tx)
            if let held = tree.first(where: { $0.parentId == FolderRecord.top && $0.nameKey == Self.name.lowercased() }) { return held }
            let now = EpochMillis.now()
            let folder = FolderRecord(id: Identifier.make("fld"), firmId: grant.firmID, accountId: grant.accountID, parentId: FolderRecord.top,
                                      name: Self.name, nameKey: Self.name.lowercased(), createdBy: caller.subject, createdAt: now, updatedAt: now)
            guard try await folders.insert(folder, on: tx) else { throw DocError.nameTaken(Self.name) }
            return folder
        }
    }
}
