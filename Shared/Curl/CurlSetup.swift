import CCurl

/// Sets a handle's options, remembering the first failure; owns the `curl_slist`s it made,
/// which must outlive the transfer.
struct CurlSetup {
    let handle: UnsafeMutableRawPointer
    var code = CURLE_OK
    /// Whether the transfer sends a body (`CURLOPT_UPLOAD`).
    var uploads = false
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    init(handle: UnsafeMutableRawPointer) {
        self.handle = handle
    }

    mutating func long(_ option: CURLoption, _ value: Int) {
        apply { atr_setopt_long($0, option, value) }
    }

    mutating func offset(_ option: CURLoption, _ value: Int64) {
        apply { atr_setopt_off_t($0, option, curl_off_t(value)) }
    }

    mutating func string(_ option: CURLoption, _ value: String) {
        apply { atr_setopt_string($0, option, value) }
    }

    mutating func pointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer) {
        apply { atr_setopt_pointer($0, option, value) }
    }

    mutating func callback(_ option: CURLoption, _ value: atr_io_callback) {
        apply { atr_setopt_io_callback($0, option, value) }
    }

    mutating func list(_ option: CURLoption, _ values: [String]) {
        guard !values.isEmpty else { return }
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values {
            guard let longer = curl_slist_append(list, value) else {
                code = CURLE_OUT_OF_MEMORY
                break
            }
            list = longer
        }
        guard let list else { return }
        lists.append(list)
        apply { atr_setopt_slist($0, option, list) }
    }

    mutating func freeLists() {
        lists.forEach { curl_slist_free_all($0) }
        lists = []
    }

    private mutating func apply(_ set: (UnsafeMutableRawPointer) -> CURLcode) {
        guard code == CURLE_OK else { return }
        code = set(handle)
    }
}
