// A classic world map in watercolour: blue ocean, sand, sage and terracotta continents, faint pencil graticule and a compass rose.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e8');
  brush.scaleBrushes(1.5);
  const NA = [[-168,66],[-160,71],[-140,70],[-120,72],[-95,72],[-80,73],[-65,62],[-60,50],[-67,45],[-76,35],[-81,30],[-80,25],[-83,29],[-90,29],[-97,26],[-97,20],[-92,18],[-87,21],[-83,15],[-78,8],[-83,8],[-92,14],[-105,20],[-110,24],[-115,30],[-118,34],[-124,40],[-124,48],[-135,58],[-150,60],[-165,60]];
  const GL = [[-73,78],[-60,82],[-30,83],[-20,76],[-22,70],[-42,60],[-50,64],[-55,70],[-68,76]];
  const SA = [[-78,8],[-72,12],[-62,10],[-50,0],[-35,-5],[-38,-13],[-40,-22],[-48,-26],[-58,-35],[-65,-42],[-68,-52],[-72,-54],[-75,-48],[-73,-38],[-71,-28],[-70,-18],[-76,-14],[-81,-5],[-80,1]];
  const EU = [[-10,36],[-9,43],[-2,44],[-5,48],[2,51],[8,54],[10,57],[5,62],[15,69],[30,71],[60,70],[80,73],[100,77],[120,73],[140,72],[160,70],[180,66],[175,63],[163,60],[160,53],[155,58],[142,55],[140,48],[135,43],[130,40],[127,35],[122,31],[121,25],[110,21],[106,16],[109,11],[104,8],[100,13],[101,3],[104,1],[98,8],[98,16],[94,17],[90,22],[86,20],[80,15],[77,8],[73,16],[72,21],[67,24],[57,25],[56,27],[50,30],[48,29],[51,24],[56,24],[59,22],[52,16],[45,13],[43,15],[35,28],[34,31],[36,36],[28,37],[26,40],[23,38],[20,40],[15,38],[12,44],[5,43],[-2,36]];
  const AF = [[-17,21],[-10,30],[-6,35],[10,37],[20,32],[32,31],[35,28],[43,12],[51,12],[40,-2],[40,-15],[35,-25],[27,-34],[18,-34],[12,-18],[13,-5],[9,4],[-8,5],[-15,11]];
  const AU = [[114,-22],[122,-18],[130,-12],[137,-12],[142,-11],[146,-19],[153,-26],[150,-37],[140,-38],[130,-32],[115,-34]];
  const MG = [[44,-13],[50,-15],[47,-25],[43,-22]];
  const UK = [[-5,50],[1,51],[-2,57],[-6,58],[-5,54]];
  const JP = [[130,32],[140,36],[142,43],[140,40],[135,34]];
  const ID = [[95,5],[106,-6],[115,-8],[120,-9],[118,-4],[110,-2],[104,1]];
  const NG = [[131,-1],[141,-3],[150,-10],[142,-9],[136,-5]];
  const NZ = [[172,-35],[178,-38],[174,-42],[167,-46],[170,-42]];
  const k = 1.3;
  const P = (pts) => pts.map(([lo, la]) => [lo * k, -la * k + 10]);

  // ocean
  brush.noStroke();
  brush.fill('#6fa8d0', 200);
  brush.fillBleed(0.12);
  brush.fillTexture(0.4, 0.4);
  brush.rect(-240, -120, 480, 250);
  brush.fill('#4f8fc0', 120);
  brush.fillBleed(0.1);
  brush.rect(-225, -105, 450, 220);

  // graticule
  brush.set('2H', '#33597a', 0.6);
  brush.noFill();
  for (let lo = -150; lo <= 150; lo += 30) brush.line(lo * k, -115, lo * k, 125);
  for (let la = -60; la <= 75; la += 30) brush.line(-235, -la * k + 10, 235, -la * k + 10);
  brush.set('HB', '#b0413e', 0.9);
  brush.line(-235, 10, 235, 10);

  // continents: knock out the ocean with paper, then two washes each
  brush.noStroke();
  brush.wash('#f6f1e8', 235);
  for (const c of [NA, SA, EU, AF, AU, GL]) brush.polygon(P(c));
  brush.noWash();
  const lands = [[NA, '#d9b86a'], [SA, '#8fae5e'], [EU, '#c99a5a'], [AF, '#e2a55f'], [AU, '#d0774f'], [GL, '#f1ece0'], [MG, '#8fae5e'], [UK, '#8fae5e'], [JP, '#8fae5e'], [ID, '#8fae5e'], [NG, '#8fae5e'], [NZ, '#8fae5e']];
  for (const [c, col] of lands) {
    brush.fill(col, 240);
    brush.fillBleed(0.18);
    brush.fillTexture(0.5, 0.6);
    brush.polygon(P(c));
  }
  for (const [c, col] of lands.slice(0, 5)) {
    brush.fill(col, 150);
    brush.fillBleed(0.1);
    brush.polygon(P(c));
  }
  // coastlines in ink
  brush.set('rotring', '#2e3d4c', 0.5);
  brush.noFill();
  for (const [c] of lands) brush.polygon(P(c));
  // compass rose in the south Pacific
  push();
  translate(-170, 85);
  brush.noStroke();
  brush.fill('#f1ece0', 230);
  brush.fillBleed(0.05);
  brush.polygon([[0, -26], [6, 0], [0, 26], [-6, 0]]);
  brush.polygon([[-26, 0], [0, -6], [26, 0], [0, 6]]);
  brush.set('rotring', '#2e3d4c', 0.5);
  brush.noFill();
  brush.polygon([[0, -26], [6, 0], [0, 26], [-6, 0]]);
  brush.polygon([[-26, 0], [0, -6], [26, 0], [0, 6]]);
  brush.circle(0, 0, 16);
  pop();
  // frame
  brush.set('2B', '#2f3b47', 1.3);
  brush.rect(-240, -120, 480, 250);
  brush.set('HB', '#2f3b47', 0.8);
  brush.rect(-246, -126, 492, 262);
}
