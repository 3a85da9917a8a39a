terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
  }

  # Remote state: an S3 bucket (versioned, encrypted) and a DynamoDB table
  # with a LockID string key for locking. Create both once per account
  # (docs/deploy.md shows the commands) and change the names here.
  backend "s3" {
    bucket         = "example-taskmesh-terraform-state"
    key            = "taskmesh/dev/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "example-taskmesh-terraform-lock"
    encrypt        = true
  }
}
