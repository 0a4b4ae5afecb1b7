"""Submissions to A+B in every language, one per verdict: the judge's own acceptance suite and demo."""

from __future__ import annotations

# (language, expected verdict) -> source. Each reads "A B" and is right, wrong, slow, greedy, crashing
# or broken in the way its verdict names.
APLUSB: dict[tuple[str, str], str] = {
    ("python", "AC"): "a, b = map(int, input().split())\nprint(a + b)\n",
    ("python", "WA"): "a, b = map(int, input().split())\nprint(a - b)\n",
    ("python", "TLE"): "while True:\n    pass\n",
    ("python", "MLE"): "hog = []\nwhile True:\n    hog.append(b'x' * (1 << 20))\n",
    ("python", "RE"): "a, b = map(int, input().split())\nprint(a // 0)\n",
    ("python", "CE"): "def main(:\n    print(1)\n",
    (
        "c",
        "AC",
    ): '#include <stdio.h>\nint main(void){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a+b);return 0;}\n',
    (
        "c",
        "WA",
    ): '#include <stdio.h>\nint main(void){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a*b);return 0;}\n',
    ("c", "TLE"): "int main(void){volatile unsigned long x=0;for(;;)x++;}\n",
    ("c", "MLE"): "#include <stdlib.h>\n#include <string.h>\n"
    "int main(void){for(;;){char*p=malloc(1<<20);if(!p)return 3;memset(p,1,1<<20);}}\n",
    ("c", "RE"): "int main(void){volatile int*p=0;*p=1;return 0;}\n",
    ("c", "CE"): "int main(void){ return }\n",
    ("cpp", "AC"): '#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}\n',
    ("cpp", "WA"): '#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b+1<<"\\n";}\n',
    ("cpp", "TLE"): "int main(){volatile unsigned long x=0;for(;;)x++;}\n",
    (
        "cpp",
        "MLE",
    ): "#include <vector>\nint main(){std::vector<std::vector<char>> h;for(;;)h.emplace_back(1<<20,'x');}\n",
    ("cpp", "RE"): '#include <stdexcept>\nint main(){throw std::runtime_error("boom");}\n',
    ("cpp", "CE"): "#include <iostream>\nint main(){ std::cout << undefined_name; }\n",
    ("java", "AC"): "import java.util.*;\npublic class Main{public static void main(String[] x){"
    "Scanner s=new Scanner(System.in);long a=s.nextLong(),b=s.nextLong();System.out.println(a+b);}}\n",
    ("java", "WA"): "import java.util.*;\npublic class Main{public static void main(String[] x){"
    "Scanner s=new Scanner(System.in);long a=s.nextLong(),b=s.nextLong();System.out.println(a-b);}}\n",
    ("java", "TLE"): "public class Main{public static void main(String[] x){long i=0;while(true){i++;}}}\n",
    ("java", "MLE"): "import java.util.*;\npublic class Main{public static void main(String[] x){"
    "List<long[]> h=new ArrayList<>();while(true){h.add(new long[1<<17]);}}}\n",
    (
        "java",
        "RE",
    ): 'public class Main{public static void main(String[] x){throw new IllegalStateException("boom");}}\n',
    ("java", "CE"): "public class Main{public static void main(String[] x){ int y = ; }}\n",
    ("javascript", "AC"): "const [a,b]=require('fs').readFileSync(0,'utf8').trim().split(/\\s+/).map(BigInt);"
    "console.log((a+b).toString());\n",
    ("javascript", "WA"): "const [a,b]=require('fs').readFileSync(0,'utf8').trim().split(/\\s+/).map(BigInt);"
    "console.log((a*b).toString());\n",
    ("javascript", "TLE"): "for(;;){}\n",
    ("javascript", "MLE"): "const h=[];for(;;){h.push(new Array(1<<17).fill(1.5));}\n",
    ("javascript", "RE"): "throw new Error('boom');\n",
    ("javascript", "CE"): "function main( {\n",
}

LANGUAGES = ("python", "c", "cpp", "java", "javascript")
VERDICTS = ("AC", "WA", "TLE", "MLE", "RE", "CE")
