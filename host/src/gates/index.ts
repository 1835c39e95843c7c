// Gates: a model's suite against its tier's coverage and required check types.
export { checkedColumns, evaluateGates, type GatedModel, testCoverage } from "./evaluate.js";
