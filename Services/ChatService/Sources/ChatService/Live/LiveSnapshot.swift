/// What had committed when a stream opened: rows it does not get, as they happened before it.
///
/// The hub starts at the newest row it can hand out in order, which on PostgreSQL may be older
/// than rows already committed (they wait behind an older transaction still running); without
/// this, a new stream would start with a few updates from before it opened.
enum LiveSnapshot: Sendable, Equatable {
    /// PostgreSQL's `pg_current_snapshot()`: transactions below `xmin` are over, those from `xmax`
    /// on had not started, and those in `running` were still running.
    case postgres(xmin: Int64, xmax: Int64, running: Set<Int64>)
    /// SQLite: the highest sequence number then committed.
    case sqlite(seq: Int64)

    /// Whether the row at `position` had committed when the snapshot was taken.
    func saw(_ position: LivePosition) -> Bool {
        switch self {
        case .postgres(let xmin, let xmax, let running):
            position.txid < xmin || (position.txid < xmax && !running.contains(position.txid))
        case .sqlite(let seq):
            position.seq <= seq
        }
    }

    /// From `pg_current_snapshot()::text`: `xmin:xmax:xip,xip,…`.
    init?(postgres text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let xmin = Int64(parts[0]), let xmax = Int64(parts[1]) else { return nil }
        let running = parts[2].split(separator: ",").compactMap { Int64($0) }
        self = .postgres(xmin: xmin, xmax: xmax, running: Set(running))
    }
}
