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
    /// Each step's sender and receiver, as positions in `participants`.
    let stepParties: [(from: Int, to: Int)]

    /// Without `labelled`, participants get no labels (a call list shows none).
    init(steps: [UnnumberedStep], labelled: Bool = true) {
        // Parties by position of first appearance; each message's parties are looked up once, and
        // a step between the same two parties as the one before needs no hashing at all.
        var parties: [Party] = []
        var endpoints: [[Endpoint]] = []
        var positions: [PartyKey: Int] = [:]
        var recent: [(key: PartyKey, position: Int)] = []
        func note(_ party: Party) -> Int {
            if let hit = recent.first(where: { $0.key == party.key }) {
                merge(party, into: hit.position)
                return hit.position
            }
            let position: Int
            if let known = positions[party.key] {
                position = known
                merge(party, into: position)
            } else {
                position = parties.count
                positions[party.key] = position
                parties.append(party)
                endpoints.append(party.endpoint.map { [$0] } ?? [])
            }
            if recent.count == 2 { recent.removeFirst() }
            recent.append((party.key, position))
            return position
        }
        func merge(_ party: Party, into position: Int) {
            parties[position].user = parties[position].user ?? party.user
            parties[position].agent = parties[position].agent ?? party.agent
            parties[position].device = parties[position].device ?? party.device
            parties[position].isServer = parties[position].isServer || party.isServer
            if let endpoint = party.endpoint, !endpoints[position].contains(endpoint) {
                endpoints[position].append(endpoint)
            }
        }
        var offerSenders: Set<Int> = []
        var offerReceivers: Set<Int> = []
        var decisionSenders: Set<Int> = []
        var firstOfferSender: Int?
        var firstClientOfferSender: Int?
        var firstClientDecisionReceiver: Int?
        var firstRequestSender: Int?
        var stepParties: [(from: Int, to: Int)] = []
        stepParties.reserveCapacity(steps.count)
        for step in steps {
            let message = step.message
            let (sender, receiver) = (message.sender, message.receiver)
            let from = note(sender)
            let to = note(receiver)
            stepParties.append((from, to))
            switch message.kind {
            case .offer:
                offerSenders.insert(from)
                offerReceivers.insert(to)
                firstOfferSender = firstOfferSender ?? from
                if firstClientOfferSender == nil && !sender.isServer { firstClientOfferSender = from }
                firstRequestSender = firstRequestSender ?? from
            case .request:
                firstRequestSender = firstRequestSender ?? from
            default:
                // A challenge asks for credentials: whoever sends one is a registrar, proxy or
                // callee for other reasons, or for none.
                if (message.isDecision && message.kind != .challenge) || message.kind == .ringing {
                    decisionSenders.insert(from)
                    if firstClientDecisionReceiver == nil && !receiver.isServer { firstClientDecisionReceiver = to }
                }
            }
        }
        let hasOffer = firstOfferSender != nil
        // Without an offer in the capture, whoever receives a decision is the caller, and whoever
        // sends one a callee: the offer was made before the capture began.
        let deciders = hasOffer ? [] : decisionSenders
        let caller =
            firstClientOfferSender ?? firstOfferSender ?? firstClientDecisionReceiver ?? firstRequestSender
            ?? (steps.isEmpty ? nil : 0)
        let callerUser = caller.flatMap { parties[$0].user }

        var roles: [ParticipantRole] = []
        for (position, party) in parties.enumerated() {
            if position == caller {
                roles.append(.caller)
            } else if party.isServer {
                roles.append(.server)
            } else if offerReceivers.contains(position) && offerSenders.contains(position) {
                roles.append(.proxy)
            } else if offerReceivers.contains(position) || deciders.contains(position),
                !(party.device != nil && party.user != nil && party.user == callerUser)
            {
                roles.append(.callee)
            } else {
                roles.append(.peer)
            }
        }
        let isCall = hasOffer || !deciders.isEmpty
        let calleeCount = roles.filter { $0 == .callee }.count
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
        for (position, party) in parties.enumerated() {
            let role = roles[position]
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
                    id: id, role: role, label: labelled ? Self.label(title: title, party: party, role: role) : "",
                    partyKey: party.key, endpoints: endpoints[position], user: party.user, agent: party.agent,
                    devices: [],
                    outcome: nil))
        }
        participants = result
        self.stepParties = stepParties
    }

    /// `Caller alice@example.com (10.0.0.1:5060, Linphone)`: role, user, and where and what it is.
    static func label(title: String, party: Party, role: ParticipantRole) -> String {
        var label = title
        if let user = party.user, role != .proxy && role != .server {
            label += " "
            label += user
        }
        // Written piece by piece: built for every party of every call.
        var separator = " ("
        func detail(_ text: String) {
            label += separator
            label += text
            separator = ", "
        }
        if let device = party.device { detail(device) }
        if let endpoint = party.endpoint {
            detail(endpoint.description)
        } else if party.device == nil {
            detail(party.key.description)
        }
        if let agent = party.agent, role != .server { detail(agent) }
        if separator == ", " { label += ")" }
        return label
    }
}
