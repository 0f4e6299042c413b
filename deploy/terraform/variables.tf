variable "hcloud_token" {
  description = "Hetzner Cloud API token (from the environment: TF_VAR_hcloud_token)"
  type        = string
  sensitive   = true
}

variable "environment" {
  description = "Name of this deployment (production, staging)"
  type        = string
  default     = "production"
}

variable "location" {
  description = "Hetzner location of every server (fsn1, nbg1, hel1, ash, hil)"
  type        = string
  default     = "fsn1"
}

variable "ssh_key_names" {
  description = "Names of SSH keys already uploaded to the Hetzner project"
  type        = list(string)
}

variable "web_count" {
  description = "Web servers behind the load balancer (gunicorn asgi:app)"
  type        = number
  default     = 2
}

variable "web_server_type" {
  type    = string
  default = "cpx31"
}

variable "worker_count" {
  description = "Celery worker servers (render, AI, 3D and webhook queues)"
  type        = number
  default     = 2
}

variable "worker_server_type" {
  description = "Renders are CPU-bound: dedicated vCPUs"
  type        = string
  default     = "ccx23"
}

variable "database_server_type" {
  description = "Self-hosted PostgreSQL 15 (Hetzner offers no managed PostgreSQL); with a volume"
  type        = string
  default     = "ccx23"
}

variable "database_volume_gb" {
  type    = number
  default = 100
}

variable "redis_server_type" {
  type    = string
  default = "cpx21"
}

variable "vault_server_type" {
  type    = string
  default = "cpx11"
}

variable "object_storage_bucket" {
  description = "Hetzner Object Storage bucket (S3 API) for previews and production files"
  type        = string
  default     = "luneo-files"
}

variable "object_storage_endpoint" {
  description = "S3 endpoint of the bucket's location"
  type        = string
  default     = "https://fsn1.your-objectstorage.com"
}

variable "domain" {
  description = "Public host name of the app (APP_URL without https://)"
  type        = string
}

variable "vault_address" {
  description = "Address of the Vault server Terraform writes Luneo's secret paths to"
  type        = string
}

variable "vault_kv_mount" {
  type    = string
  default = "secret"
}
