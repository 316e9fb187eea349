// Command launcher starts a kube-serverless Go function: it compiles the
// function in FUNCTION_DIR against the runtime library (or finds it in the
// build cache) and execs it.
//
//	launcher            run the function described by the environment
//	launcher prewarm    fill the build cache (GOCACHE, GOMODCACHE) with the
//	                    runtime's dependencies, e.g. while building an image
//	launcher build -o FILE
//	                    compile the function in FUNCTION_DIR into FILE and
//	                    exit: the first stage of a per-function image whose
//	                    final stage holds only that binary (Dockerfile.function)
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
		case "build":
			if len(os.Args) != 4 || os.Args[2] != "-o" {
				fmt.Fprintf(os.Stderr, "usage: %s build -o FILE\n", os.Args[0])
				os.Exit(2)
			}
			if err := launcher.BuildTo(os.Args[3]); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			return
		case "version":
			fmt.Printf("kube-serverless go runtime %s (source %s)\n", runtime.Version, runtimego.Hash()[:16])
			return
		default:
			fmt.Fprintf(os.Stderr, "usage: %s [prewarm | build -o FILE | version]\n", os.Args[0])
			os.Exit(2)
		}
	}
	os.Exit(launcher.Run())
}
