module kube-serverless.local/bench/runtimes/go

go 1.26
