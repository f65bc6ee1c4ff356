/// The key log the tls-streams fuzz target decrypts with: the lab's secrets for the connections of
/// its seeds (Tests/FuzzSeeds/tls/, written with these lines by scripts/fuzz-tls-seeds), so inputs
/// derived from them get past the handshake into the records and the plaintext's decoders.
enum FuzzKeyLog {
    static let lab = """
        SERVER_HANDSHAKE_TRAFFIC_SECRET a65d67c9e0d98ffbde1bb9e6ecc3c3f4e7bc7cf8fd6628fa4037547fc9e95583 5996dce290b79b39c5892b624f17c3e2099a48b5f51b25da88e5a46631b6dc17
        SERVER_TRAFFIC_SECRET_0 a65d67c9e0d98ffbde1bb9e6ecc3c3f4e7bc7cf8fd6628fa4037547fc9e95583 8fdb3515234892df47a9931d9a5cdacbafd751a3137f839844b4cd74897636c4
        CLIENT_HANDSHAKE_TRAFFIC_SECRET a65d67c9e0d98ffbde1bb9e6ecc3c3f4e7bc7cf8fd6628fa4037547fc9e95583 695f6822f8413093f50c971d7032df6461e3c3cd4c9880367f7fb38284099d29
        CLIENT_TRAFFIC_SECRET_0 a65d67c9e0d98ffbde1bb9e6ecc3c3f4e7bc7cf8fd6628fa4037547fc9e95583 72c4f3ddf8e79f0958b6f248bac25b03d532a295e94bab82657af9c88afcfbd4
        CLIENT_RANDOM d53fa0870ac4edb96cb0794a0da716b78d987ddb436b013a5354674065486b6c 0598b1fc7d75a31943f3a302f58dbe2e89c6ba7ee43dd92a4672c39fe82fa7f69309b8b36cfbf690e06708f9229e2d81
        CLIENT_RANDOM c6bc18e69b0843abbe48d0fdd6762861272ac1d43643aae70c5a0e477be6b640 2a351a3acc4dca7d9c48620d089d8e064421465971b21970746393684e9bdb50512e6744108b629bfcee1b694770bdd2
        CLIENT_RANDOM 5b3b289ff4842ed4e9539eabf7aa8d9fdfca02974782d8d7da65012806de9355 0ef2662e587d509e63f9d6bb5ca2d981b7b99901eadbf2ea788e924f336effab8aa1d6c856baccae140f36ae924af48b
        """
}
