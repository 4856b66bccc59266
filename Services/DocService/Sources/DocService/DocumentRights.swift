public import AtriumRuntime

extension Rights {
    /// "Manage documents": an employee who may organise folders and upload for the firm.
    public static let manageDocuments = "manage_documents"
}

extension Caller {
    /// Who may organise an account's folders and upload for the firm (SPEC "Documents"): owners,
    /// admins and employees with "manage documents", each only where they may see the account.
    func mayManageDocuments(of grant: AccountGrant) -> Bool {
        switch kind {
        case .service: true
        case .member: canSee(grant) && (isFirmAdmin || rights.contains(Rights.manageDocuments))
        case .contact: false
        }
    }
}
