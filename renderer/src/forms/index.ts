// Forms: validation with the contract's schemas and field errors in the operator's words.
export {
  describeIssue,
  formatGiven,
  fromFailure,
  fromMessage,
  fromZodIssues,
  type FieldIssue,
  type IssueKind,
} from './field-issues';
export {
  describeIssues,
  labelForPath,
  useContractForm,
  type ContractForm,
  type ContractFormOptions,
  type FieldProps,
} from './use-contract-form';
export { FormErrors } from './FormErrors';
