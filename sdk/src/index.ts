export * as contract from "./contract.js";
