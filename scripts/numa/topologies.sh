# The emulated machines of `make numa-check` (sourced). For each NAME:
#   topology_qemu_args NAME   qemu's -smp/-object/-numa arguments
#   topology_offers NAME      the CPU relations the machine has by construction,
#                             each of which must plan, run and place (the others
#                             must be "not applicable" with a reason)
#   topology_about NAME       one line for logs and docs
# Every node gets its own RAM backend, so a page's node is the memory qemu put
# behind that node's address range: what move_pages() reads back is real.
NUMA_TOPOLOGIES="2socket snc2 4node"

topology_about() {
    case $1 in
    2socket) echo "2 sockets x 1 node, 2 dies (L3, like AMD's CCX) x 2 cores each (8 CPUs), distances 10/20" ;;
    snc2) echo "1 socket x 2 nodes (sub-NUMA clustering), 2 cores x 2 threads per node (8 CPUs), distances 10/12" ;;
    4node) echo "2 sockets x 2 nodes, 2 cores per node (8 CPUs), distances 10/12/32" ;;
    *) return 1 ;;
    esac
}

topology_offers() {
    case $1 in
    2socket) echo "same_l3 same_numa cross_package" ;;
    snc2) echo "smt_siblings same_l3 cross_numa" ;;
    4node) echo "same_l3 cross_numa cross_package" ;;
    *) return 1 ;;
    esac
}

# node_ram ID: one 256 MiB RAM backend per node.
node_ram() { echo "-object memory-backend-ram,id=ram$1,size=256M"; }

topology_qemu_args() {
    case $1 in
    2socket)
        echo "-m 512M -smp 8,sockets=2,dies=2,cores=2,threads=1 $(node_ram 0) $(node_ram 1)"
        echo "-numa node,nodeid=0,cpus=0-3,memdev=ram0 -numa node,nodeid=1,cpus=4-7,memdev=ram1"
        echo "-numa dist,src=0,dst=1,val=20"
        ;;
    snc2)
        echo "-m 512M -smp 8,sockets=1,cores=4,threads=2 $(node_ram 0) $(node_ram 1)"
        echo "-numa node,nodeid=0,cpus=0-3,memdev=ram0 -numa node,nodeid=1,cpus=4-7,memdev=ram1"
        echo "-numa dist,src=0,dst=1,val=12"
        ;;
    4node)
        echo "-m 1G -smp 8,sockets=2,cores=4,threads=1 $(node_ram 0) $(node_ram 1) $(node_ram 2) $(node_ram 3)"
        echo "-numa node,nodeid=0,cpus=0-1,memdev=ram0 -numa node,nodeid=1,cpus=2-3,memdev=ram1"
        echo "-numa node,nodeid=2,cpus=4-5,memdev=ram2 -numa node,nodeid=3,cpus=6-7,memdev=ram3"
        echo "-numa dist,src=0,dst=1,val=12 -numa dist,src=2,dst=3,val=12"
        echo "-numa dist,src=0,dst=2,val=32 -numa dist,src=0,dst=3,val=32"
        echo "-numa dist,src=1,dst=2,val=32 -numa dist,src=1,dst=3,val=32"
        ;;
    *) return 1 ;;
    esac
}
