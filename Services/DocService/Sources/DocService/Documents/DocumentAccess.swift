import AtriumRuntime

/// Who may do what with one document (SPEC "Documents" on top of "People and access").
///
/// Callers who may manage the account's documents (owners, admins, "manage documents" employees,
/// services) do everything; other team members who see the account read. A contact reads the
/// documents whose client access is `view` or `edit` and their own uploads, and changes those
/// with `edit` (their own uploads always). Anything else is as if the document did not exist.
enum DocumentAccess: Sendable {
    case hidden
    case read
    /// A contact's edit: rename, move and delete, but not the client access.
    case edit
    case manage

    init(_ caller: Caller, grant: AccountGrant, document: DocumentRecord) {
        guard caller.canSee(grant) else {
            self = .hidden
            return
        }
        switch caller.kind {
        case .service, .member:
            self = caller.mayManageDocuments(of: grant) ? .manage : .read
        case .contact:
            let own = document.uploaderKind == Caller.Kind.contact.rawValue && document.uploaderId == caller.subject
            switch own ? .edit : document.access {
            case .none: self = .hidden
            case .view: self = .read
            case .edit: self = .edit
            }
        }
    }

    var mayChange: Bool { self == .edit || self == .manage }
}

extension Caller {
    /// Who may upload into an account's folders: those who manage its documents, and its contacts.
    func mayUpload(to grant: AccountGrant) -> Bool {
        mayManageDocuments(of: grant) || (kind == .contact && canSee(grant))
    }
}
