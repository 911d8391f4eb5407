export interface SeenQuery { id: number; name: string | undefined; type: string | undefined; proto: 'udp' | 'tcp'; sport: number }
export function startUpstream(o?: { host?: string; port?: number; records?: Record<string, string> }): Promise<{ port: number; seen: SeenQuery[]; close(): void }>;
