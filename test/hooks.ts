// Root hooks shared by every suite (kept for the engine suite's daemon, see engine/dockerd.ts).
export {}
