"""Every workload of the reference deployment, collected from its apps' ``workloads`` modules."""

from celeriac import Declarations
from celeriac_site.bridge import workloads as bridge
from celeriac_site.demo import workloads as demo
from celeriac_site.judge import workloads as judge
from celeriac_site.media import workloads as media

WORKLOADS = Declarations(demo.ALL, judge.ALL, media.ALL, bridge.ALL)
