import SigflowCore

/// Gives every party of a call a lifeline and a role, from the flow alone:
/// - the caller sent the first offer;
/// - a party that receives an offer and sends one on to another party is a proxy (a server when
///   the decoder says it is one: homeserver, XMPP server, WhatsApp server);
/// - a party that receives an offer and does not pass it on is a callee, unless it belongs to the
///   caller's own user (the caller's other devices see its offer too);
/// - everyone else is a peer.
/// Lifelines are declared in order of first appearance.
struct RoleInference {
    let participants: [Participant]

    init(steps: [UnnumberedStep]) {
        var order: [String] = []
        var parties: [String: Party] = [:]
        var endpoints: [String: [Endpoint]] = [:]
        // Runs twice per step: one hash of the key per table, and the known party merged in place.
        func note(_ party: Party) {
            var isNew = false
            parties.withValue(
                for: party.key,
                default: {
                    isNew = true; return party
                }
            ) { known in
                guard !isNew else { return }
                known.user = known.user ?? party.user
                known.agent = known.agent ?? party.agent
                known.device = known.device ?? party.device
                known.isServer = known.isServer || party.isServer
            }
            if isNew { order.append(party.key) }
            if let endpoint = party.endpoint {
                endpoints.withValue(for: party.key, default: { [] }) { known in
                    if !known.contains(endpoint) { known.append(endpoint) }
                }
            }
        }
        for step in steps {
            note(step.message.sender)
            note(step.message.receiver)
        }
        let offers = steps.filter { $0.message.kind == .offer }
        // Without an offer in the capture, whoever receives a decision is the caller, and whoever
        // sends one a callee: the offer was made before the capture began.
        let decisions = steps.filter { $0.message.isDecision || $0.message.kind == .ringing }
        let deciders = offers.isEmpty ? Set(decisions.map(\.message.sender.key)) : []
        let firstRequest = steps.first { [.offer, .request].contains($0.message.kind) }
        let callerKey =
            (offers.first { !$0.message.sender.isServer } ?? offers.first)?.message.sender.key
            ?? decisions.first { !$0.message.receiver.isServer }?.message.receiver.key
            ?? firstRequest?.message.sender.key ?? steps.first?.message.sender.key
        let callerUser = callerKey.flatMap { parties[$0]?.user }
        let offerReceivers = Set(offers.map(\.message.receiver.key))
        let offerSenders = Set(offers.map(\.message.sender.key))

        var roles: [String: ParticipantRole] = [:]
        for key in order {
            let party = parties[key]!
            if key == callerKey {
                roles[key] = .caller
            } else if party.isServer {
                roles[key] = .server
            } else if offerReceivers.contains(key) && offerSenders.contains(key) {
                roles[key] = .proxy
            } else if offerReceivers.contains(key) || deciders.contains(key),
                !(party.device != nil && party.user != nil && party.user == callerUser)
            {
                roles[key] = .callee
            } else {
                roles[key] = .peer
            }
        }
        let isCall = !offers.isEmpty || !deciders.isEmpty
        let calleeCount = roles.values.filter { $0 == .callee }.count
        var used: Set<String> = []
        /// `base`, or `base2`, `base3` ... when taken: a Mermaid alias must name one lifeline.
        func unique(_ base: String) -> String {
            var candidate = base
            var counter = 1
            while used.contains(candidate) {
                counter += 1
                candidate = base + String(counter)
            }
            used.insert(candidate)
            return candidate
        }
        var counters: [ParticipantRole: Int] = [:]
        var result: [Participant] = []
        for key in order {
            let role = roles[key]!
            let party = parties[key]!
            counters[role, default: 0] += 1
            let number = counters[role]!
            let id: String
            let title: String
            switch role {
            case .caller:
                id = unique("caller")
                title = isCall ? "Caller" : "Client"
            case .proxy:
                id = unique("proxy")
                title = "Proxy"
            case .server:
                id = unique("server")
                title = party.agent ?? "Server"
            case .callee:
                id = unique(calleeCount == 1 ? "callee" : "callee\(number)")
                title = calleeCount == 1 ? "Callee" : "Callee device \(number)"
            case .peer:
                id = unique(isCall ? "peer\(number)" : "server")
                title = isCall ? "Other party" : "Server"
            }
            result.append(
                Participant(
                    id: id, role: role, label: Self.label(title: title, party: party, role: role), partyKey: key,
                    endpoints: endpoints[key] ?? [], user: party.user, agent: party.agent, devices: [],
                    outcome: nil))
        }
        participants = result
    }

    /// `Caller alice@example.com (10.0.0.1:5060, Linphone)`: role, user, and where and what it is.
    static func label(title: String, party: Party, role: ParticipantRole) -> String {
        var details: [String] = []
        if let device = party.device { details.append(device) }
        if let endpoint = party.endpoint {
            details.append(endpoint.description)
        } else if party.device == nil {
            details.append(party.key)
        }
        if let agent = party.agent, role != .server { details.append(agent) }
        let user = role == .proxy || role == .server ? nil : party.user
        return ([title] + (user.map { [$0] } ?? [])).joined(separator: " ")
            + (details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")")
    }
}

extension Dictionary {
    /// Runs `body` on the value for `key` in place (inserting `make()` first when absent): one
    /// lookup, and no copy of the value that would make its storage non-unique.
    fileprivate mutating func withValue(for key: Key, default make: () -> Value, _ body: (inout Value) -> Void) {
        body(&self[key, default: make()])
    }
}
