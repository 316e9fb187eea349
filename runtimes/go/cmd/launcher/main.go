// Command launcher starts a kube-serverless Go function: it compiles the
// function in FUNCTION_DIR against the runtime library (or finds it in the
// build cache) and execs it.
//
//	launcher            run the function described by the environment
//	launcher prewarm    fill the build cache (GOCACHE, GOMODCACHE) with the
//	                    runtime's dependencies, e.g. while building an image
//	launcher version    print the runtime version and source hash
package main

import (
	"fmt"
	"os"

	runtimego "github.com/kube-serverless/kube-serverless/runtimes/go"
	"github.com/kube-serverless/kube-serverless/runtimes/go/launcher"
	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "prewarm":
			if err := launcher.Prewarm(); err != nil {
				fmt.Fprintln(os.Stderr, "prewarm:", err)
				os.Exit(1)
			}
			return
		case "version":
			fmt.Printf("kube-serverless go runtime %s (source %s)\n", runtime.Version, runtimego.Hash()[:16])
			return
		default:
			fmt.Fprintf(os.Stderr, "usage: %s [prewarm|version]\n", os.Args[0])
			os.Exit(2)
		}
	}
	os.Exit(launcher.Run())
}
