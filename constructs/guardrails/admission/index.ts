/** Guardrails compiled to ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1). Pure. */
export {
  ADMISSION_UNSUPPORTED,
  type AdmissionValidation,
  type CompiledRule,
  compiledRules,
  RESTRICTED_VOLUME_SOURCES,
  type UnsupportedRule,
} from './expressions';
export * from './policies';
