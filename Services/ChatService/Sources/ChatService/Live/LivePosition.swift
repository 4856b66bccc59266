/// Where a row of the live-updates log sits in the order streams deliver it in: the id of the
/// transaction that wrote it, then its sequence number.
///
/// On PostgreSQL, transactions commit out of sequence order, so a reader following `seq` alone
/// could pass a row that commits late; rows are read only once no transaction that could still
/// commit sorts before them (see `LiveLog.page`). On SQLite, whose writers take turns, the
/// transaction id is always 0 and the sequence number alone is commit order.
struct LivePosition: Sendable, Hashable, Comparable {
    var txid: Int64
    var seq: Int64

    /// Before every row.
    static let start = LivePosition(txid: 0, seq: 0)

    static func < (lhs: LivePosition, rhs: LivePosition) -> Bool {
        (lhs.txid, lhs.seq) < (rhs.txid, rhs.seq)
    }

    /// The SSE event id: `<txid>-<seq>`.
    var eventID: String { "\(txid)-\(seq)" }

    /// The position an event id names; nil for anything this service never sent.
    init?(eventID: String) {
        let parts = eventID.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let txid = Int64(parts[0]), let seq = Int64(parts[1]), txid >= 0, seq > 0 else { return nil }
        self.init(txid: txid, seq: seq)
    }

    init(txid: Int64, seq: Int64) {
        self.txid = txid
        self.seq = seq
    }
}
