/// Groups calls whose messages name each other (a B2BUA's two legs), by union-find over link tokens.
enum LegLinker {
    /// What two legs can share: a Call-ID (a call's own, or one its messages name as `call-id:<id>`)
    /// or another identifier its messages carry (`session:<uuid>`). A call's own Call-ID is used as
    /// it is: a scanner flood lists hundreds of thousands of calls, each would need a token built.
    enum Token: Hashable {
        case callID(Substring)
        case other(String)

        static let callIDPrefix = "call-id:"

        /// A token as messages carry it (`SignalingMessage.linkedCallIDs`).
        init(carried token: String) {
            self =
                token.hasPrefix(Self.callIDPrefix)
                ? .callID(token.dropFirst(Self.callIDPrefix.count)) : .other(token)
        }
    }

    /// - Parameter tokens: calls `visit` with each token of the call at an index.
    /// - Returns: per call, the indices of the other calls in its group.
    static func groups(count: Int, tokens: (_ call: Int, _ visit: (Token) -> Void) -> Void) -> [[Int]] {
        var parent = Array(0..<count)
        func root(_ index: Int) -> Int {
            var current = index
            while parent[current] != current {
                parent[current] = parent[parent[current]]
                current = parent[current]
            }
            return current
        }
        var owner: [Token: Int] = [:]
        for index in 0..<count {
            tokens(index) { token in
                if let other = owner[token] {
                    let (a, b) = (root(index), root(other))
                    if a != b { parent[max(a, b)] = min(a, b) }
                } else {
                    owner[token] = index
                }
            }
        }
        // Most calls have no other leg: only groups of two or more get a list.
        var sizes = [Int](repeating: 0, count: count)
        for index in 0..<count { sizes[root(index)] += 1 }
        var members: [Int: [Int]] = [:]
        for index in 0..<count where sizes[root(index)] > 1 { members[root(index), default: []].append(index) }
        return (0..<count).map { index in
            sizes[root(index)] > 1 ? members[root(index)]!.filter { $0 != index } : []
        }
    }
}
