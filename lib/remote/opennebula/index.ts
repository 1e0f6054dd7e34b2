export * from "./commands";
export * from "./packages";
export * from "./parsers";
export * from "./remote-command";
export * from "./services";
export * from "./frontend";
export * from "./remote-command-error";
export * from "./firewall";
