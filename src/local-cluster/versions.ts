// The one place that pins the control plane the project builds and tests against.
export const KUBERNETES_VERSION = '1.36.3';
export const ETCD_VERSION = '3.6.16';
