export declare const PROTO_FILES: string[];
export declare function generate(out?: string): void;
